/*
 * dd_types.h -- the number types of dualdiff and their chain rules.
 *
 *   dual      a + b e              (e^2 = 0)
 *   hyper     a + b e1 + c e2 + d e1e2   (e1^2 = e2^2 = 0)
 *
 * A unary function reaches a type only through that type's chain rule,
 * applied to the coefficients of dd_rules.h.  Binary operations are written
 * out per type; a plain float operand is a number with zero tangents.
 *
 * The value part is always the plain float result (a/b, not a*(1/b)), and a
 * tangent that is exactly zero stays zero (dd_tz).
 *
 * Plain C99, no Python API.
 */
#ifndef DD_TYPES_H
#define DD_TYPES_H

#include "dd_rules.h"

typedef struct { double re, du; } dd_dual;
typedef struct { double re, e1, e2, e12; } dd_hyper;

static inline dd_dual dd_dual_make(double re, double du) {
    dd_dual r; r.re = re; r.du = du; return r;
}

static inline dd_hyper dd_hyper_make(double re, double e1, double e2, double e12) {
    dd_hyper r; r.re = re; r.e1 = e1; r.e2 = e2; r.e12 = e12; return r;
}

/* ------------------------------------------------------------------ */
/* Chain rules                                                         */
/* ------------------------------------------------------------------ */

/* f(a + b e) = f(a) + f'(a) b e */
static inline dd_dual dd_dual_chain(dd_dual x, const double f[3]) {
    return dd_dual_make(f[0], dd_tz(x.du, f[1]));
}

/* HyperDual results are computed by the plain formula and recomputed with
 * dd_tz/dd_tt only when a part came out nan (a zero tangent times an
 * infinite coefficient: beyond the sign of a zero, the only way the two
 * differ) or, in a chain rule, when e1 e2 is not a normal double (then
 * dd_tt3_st keeps the f'' e1 e2 that its underflow or overflow would lose):
 * the common case pays one test, not one per product. */
static inline int dd_hyper_has_nan(dd_hyper r) {
    return (r.e1 != r.e1) | (r.e2 != r.e2) | (r.e12 != r.e12);
}

/* f(a + b e1 + c e2 + d e1e2) = f(a) + f'(a) b e1 + f'(a) c e2 + (f'(a) d + f''(a) b c) e1e2 */
static inline dd_hyper dd_hyper_chain(dd_hyper x, const double f[3]) {
    double q = x.e1 * x.e2;
    dd_hyper r = dd_hyper_make(f[0], x.e1 * f[1], x.e2 * f[1], x.e12 * f[1] + q * f[2]);
    if (dd_hyper_has_nan(r) | !isnormal(q))
        r = dd_hyper_make(f[0], dd_tz(x.e1, f[1]), dd_tz(x.e2, f[1]),
                          dd_tz(x.e12, f[1]) + dd_tt3_st(f[2], x.e1, x.e2));
    return r;
}

/* f(x, y) with value v, gradient g = (f_x, f_y) */
static inline dd_dual dd_dual_chain2(dd_dual x, dd_dual y, double v, const double g[2]) {
    return dd_dual_make(v, dd_tz(x.du, g[0]) + dd_tz(y.du, g[1]));
}

/* The cross term (s1 t2 + s2 t1) h of a two-argument chain rule; each
 * product by dd_tt3 where s1 t2 or s2 t1 left the normal range (see dd_tt3_st). */
static inline double dd_cross3(double h, double s1, double t2, double s2, double t1) {
    double a = dd_tt(s1, t2), b = dd_tt(s2, t1);
    if ((isnormal(a) || s1 == 0.0 || t2 == 0.0) && (isnormal(b) || s2 == 0.0 || t1 == 0.0))
        return dd_tz(a + b, h);
    return dd_tt3(h, s1, t2) + dd_tt3(h, s2, t1);
}

/* f(x, y) with value v, gradient g and Hessian h = (f_xx, f_xy, f_yy) */
static inline dd_hyper dd_hyper_chain2(dd_hyper x, dd_hyper y, double v,
                                       const double g[2], const double h[3]) {
    double e12 = dd_tz(x.e12, g[0]) + dd_tz(y.e12, g[1])
               + dd_tt3_st(h[0], x.e1, x.e2)
               + dd_cross3(h[1], x.e1, y.e2, x.e2, y.e1)
               + dd_tt3_st(h[2], y.e1, y.e2);
    return dd_hyper_make(v, dd_tz(x.e1, g[0]) + dd_tz(y.e1, g[1]),
                         dd_tz(x.e2, g[0]) + dd_tz(y.e2, g[1]), e12);
}

/* ------------------------------------------------------------------ */
/* Dual arithmetic                                                     */
/* ------------------------------------------------------------------ */

static inline dd_dual dd_dual_add(dd_dual x, dd_dual y) {
    return dd_dual_make(x.re + y.re, x.du + y.du);
}

static inline dd_dual dd_dual_sub(dd_dual x, dd_dual y) {
    return dd_dual_make(x.re - y.re, x.du - y.du);
}

static inline dd_dual dd_dual_mul(dd_dual x, dd_dual y) {
    return dd_dual_make(x.re * y.re, dd_tz(x.du, y.re) + dd_tz(y.du, x.re));
}

/* The caller has checked y.re != 0. */
static inline dd_dual dd_dual_div(dd_dual x, dd_dual y) {
    double v = x.re / y.re;
    return dd_dual_make(v, (x.du - dd_tz(y.du, v)) / y.re);
}

/* x**p; where f' is not a normal double, the product f' b in dd_scaled form
 * (see dd_pow_rescues): one test in the common case. */
static DD_COLD dd_dual dd_dual_pow_scaled(dd_dual x, double p, double v) {
    dd_scaled c[2];
    dd_pow_scaled(x.re, p, v, 1, c);
    return dd_dual_make(v, dd_sc_tz(x.du, c[0]));
}

static inline dd_dual dd_dual_pow_v(dd_dual x, double p, double v) {
    double f[3];
    dd_pow_rule_v(x.re, p, v, f, 1);
    if (!isnormal(f[1]) && dd_pow_rescues(x.re, p, v))
        return dd_dual_pow_scaled(x, p, v);
    return dd_dual_chain(x, f);
}

static inline dd_dual dd_dual_pow(dd_dual x, double p) {
    return dd_dual_pow_v(x, p, pow(x.re, p));
}

/* x ** y with both parts perturbed; the caller has checked the value. */
static inline dd_dual dd_dual_pow2(dd_dual x, dd_dual y) {
    double g[2], h[3], v = pow(x.re, y.re);
    dd_pow2_partials(x.re, y.re, v, 1, g, h);
    return dd_dual_chain2(x, y, v, g);
}

static inline dd_dual dd_dual_atan2(dd_dual y, dd_dual x) {
    double g[2], h[3];
    dd_atan2_partials(y.re, x.re, 1, g, h);
    return dd_dual_chain2(y, x, atan2(y.re, x.re), g);
}

static inline dd_dual dd_dual_hypot(dd_dual x, dd_dual y) {
    double g[2], h[3], v = hypot(x.re, y.re);
    dd_hypot_partials(x.re, y.re, v, 1, g, h);
    return dd_dual_chain2(x, y, v, g);
}

/* ------------------------------------------------------------------ */
/* HyperDual arithmetic                                                */
/* ------------------------------------------------------------------ */

static inline dd_hyper dd_hyper_add(dd_hyper x, dd_hyper y) {
    return dd_hyper_make(x.re + y.re, x.e1 + y.e1, x.e2 + y.e2, x.e12 + y.e12);
}

static inline dd_hyper dd_hyper_sub(dd_hyper x, dd_hyper y) {
    return dd_hyper_make(x.re - y.re, x.e1 - y.e1, x.e2 - y.e2, x.e12 - y.e12);
}

static inline dd_hyper dd_hyper_mul(dd_hyper x, dd_hyper y) {
    dd_hyper r = dd_hyper_make(
        x.re * y.re,
        x.e1 * y.re + y.e1 * x.re,
        x.e2 * y.re + y.e2 * x.re,
        x.e12 * y.re + y.e12 * x.re + x.e1 * y.e2 + x.e2 * y.e1);
    if (dd_hyper_has_nan(r))
        r = dd_hyper_make(
            x.re * y.re,
            dd_tz(x.e1, y.re) + dd_tz(y.e1, x.re),
            dd_tz(x.e2, y.re) + dd_tz(y.e2, x.re),
            dd_tz(x.e12, y.re) + dd_tz(y.e12, x.re) + dd_tt(x.e1, y.e2) + dd_tt(x.e2, y.e1));
    return r;
}

/* r = x / y solves x = r y part by part; the caller has checked y.re != 0. */
static inline dd_hyper dd_hyper_div(dd_hyper x, dd_hyper y) {
    double v = x.re / y.re;
    double r1 = (x.e1 - y.e1 * v) / y.re;
    double r2 = (x.e2 - y.e2 * v) / y.re;
    dd_hyper r = dd_hyper_make(v, r1, r2, (x.e12 - y.e12 * v - r1 * y.e2 - r2 * y.e1) / y.re);
    if (dd_hyper_has_nan(r)) {
        r1 = (x.e1 - dd_tz(y.e1, v)) / y.re;
        r2 = (x.e2 - dd_tz(y.e2, v)) / y.re;
        r = dd_hyper_make(v, r1, r2,
                          (x.e12 - dd_tz(y.e12, v) - dd_tt(r1, y.e2) - dd_tt(r2, y.e1)) / y.re);
    }
    return r;
}

/* x**p; where f' or f'' is not a normal double, every product in dd_scaled
 * form (as dd_dual_pow_v). */
static DD_COLD dd_hyper dd_hyper_pow_scaled(dd_hyper x, double p, double v) {
    dd_scaled c[2];
    dd_pow_scaled(x.re, p, v, 2, c);
    return dd_hyper_make(v, dd_sc_tz(x.e1, c[0]), dd_sc_tz(x.e2, c[0]),
                         dd_sc_tz(x.e12, c[0]) + dd_sc_tt(x.e1, x.e2, c[1]));
}

static inline dd_hyper dd_hyper_pow_v(dd_hyper x, double p, double v) {
    double f[3];
    dd_pow_rule_v(x.re, p, v, f, 2);
    if (!(isnormal(f[1]) & isnormal(f[2])) && dd_pow_rescues(x.re, p, v))
        return dd_hyper_pow_scaled(x, p, v);
    return dd_hyper_chain(x, f);
}

static inline dd_hyper dd_hyper_pow(dd_hyper x, double p) {
    return dd_hyper_pow_v(x, p, pow(x.re, p));
}

static inline dd_hyper dd_hyper_pow2(dd_hyper x, dd_hyper y) {
    double g[2], h[3], v = pow(x.re, y.re);
    dd_pow2_partials(x.re, y.re, v, 2, g, h);
    return dd_hyper_chain2(x, y, v, g, h);
}

static inline dd_hyper dd_hyper_atan2(dd_hyper y, dd_hyper x) {
    double g[2], h[3];
    dd_atan2_partials(y.re, x.re, 2, g, h);
    return dd_hyper_chain2(y, x, atan2(y.re, x.re), g, h);
}

static inline dd_hyper dd_hyper_hypot(dd_hyper x, dd_hyper y) {
    double g[2], h[3], v = hypot(x.re, y.re);
    dd_hypot_partials(x.re, y.re, v, 2, g, h);
    return dd_hyper_chain2(x, y, v, g, h);
}

#endif /* DD_TYPES_H */
