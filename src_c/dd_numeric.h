/*
 * dd_numeric.h -- the arithmetic the rules and the chain rules share.
 *
 * Products of tangents that keep an exactly-zero tangent zero (dd_tz,
 * dd_tt), numbers in scaled (mantissa, exponent) form for products whose
 * intermediates leave the doubles (dd_scaled, dd_tt3), and the small
 * functions several rules use (dd_sgn, dd_flat, the Gaussian and sigmoid
 * helpers).  Plain C99, no Python API; dualdiff/_pure/_numeric.py is its
 * Python twin.
 */
#ifndef DD_NUMERIC_H
#define DD_NUMERIC_H

#include <math.h>

/* Rare paths out of line, so that the hot ones stay small enough to inline. */
#if defined(__GNUC__)
#define DD_COLD __attribute__((noinline, cold))
#else
#define DD_COLD
#endif

/* ------------------------------------------------------------------ */
/* Helpers shared by rules and chain rules                             */
/* ------------------------------------------------------------------ */

/* t * k where t is a tangent: an exactly-zero tangent stays zero even when
 * k is infinite or nan ("NaN-safe" forward mode, the default here). */
static inline double dd_tz(double t, double k) { return t == 0.0 ? 0.0 : t * k; }

/* Product of two tangents: zero when either is exactly zero. */
static inline double dd_tt(double s, double t) {
    return (s == 0.0 || t == 0.0) ? 0.0 : s * t;
}

/* A number as m 2^e, m frexp's mantissa (0.5 <= |m| < 1, or 0, inf, nan):
 * a product of several factors whose intermediate, or a coefficient whose
 * own value, would leave the doubles while the product with a tangent does
 * not.  Each step rounds as the plain product would; only the range grows. */
typedef struct { double m; int e; } dd_scaled;

static inline dd_scaled dd_sc(double x) {
    dd_scaled r; r.m = frexp(x, &r.e); return r;
}

static inline dd_scaled dd_sc_mul(dd_scaled x, double y) {
    int k, j;
    double m = x.m * frexp(y, &k);
    dd_scaled r; r.m = frexp(m, &j); r.e = x.e + k + j; return r;
}

static inline dd_scaled dd_sc_div(dd_scaled x, double y) {
    int k, j;
    double m = x.m / frexp(y, &k);
    dd_scaled r; r.m = frexp(m, &j); r.e = x.e - k + j; return r;
}

static inline double dd_sc_value(dd_scaled x) { return ldexp(x.m, x.e); }

/* t c for a tangent t and a scaled coefficient c (as dd_tz). */
static inline double dd_sc_tz(double t, dd_scaled c) {
    return t == 0.0 ? 0.0 : dd_sc_value(dd_sc_mul(c, t));
}

/* (c s) t for tangents s, t and a scaled coefficient c (as dd_tt3). */
static inline double dd_sc_tt(double s, double t, dd_scaled c) {
    return (s == 0.0 || t == 0.0) ? 0.0 : dd_sc_value(dd_sc_mul(dd_sc_mul(c, s), t));
}

/* c s t for a coefficient c (f'', a Hessian entry) and tangents s, t: zero
 * when s or t is exactly zero, whatever c is; else (c s) t, recomputed in
 * dd_scaled form only where c s or the result left the normal range with
 * c, s, t finite and nonzero, so that an intermediate underflow (e1 e2 =
 * 1e-320, then times 1e300) or overflow cannot lose a representable term.
 * The common case pays one test. */
static DD_COLD double dd_tt3_scaled(double c, double s, double t) {
    return dd_sc_tt(s, t, dd_sc(c));
}

static inline double dd_tt3(double c, double s, double t) {
    double u, r;
    if (s == 0.0 || t == 0.0) return 0.0;
    u = c * s;
    r = u * t;
    if (!(isnormal(u) && isnormal(r)) && c != 0.0 && isfinite(c) && isfinite(s) && isfinite(t))
        r = dd_tt3_scaled(c, s, t);
    return r;
}

/* (s t) c, the plain formulas' order, where s t is a normal double or a
 * factor is exactly zero: then it is as good as dd_tt3 (s t rounds once,
 * then the product with c once, and an under- or overflow of that product
 * is the true value's).  Elsewhere s t under- or overflowed: dd_tt3. */
static inline double dd_tt3_st(double c, double s, double t) {
    double st = dd_tt(s, t);
    return (isnormal(st) || s == 0.0 || t == 0.0) ? dd_tz(st, c) : dd_tt3(c, s, t);
}

/* Sign with nan passed through: the subgradient 0 at 0 (abs'(0) = 0). */
static inline double dd_sgn(double a) {
    return a > 0.0 ? 1.0 : a < 0.0 ? -1.0 : a == 0.0 ? 0.0 : a;
}

/* 1/x where x >= 0 may be 0: the pole's +inf without the divide-by-zero
 * flag, which NumPy would report as a warning after a ufunc over objects. */
static inline double dd_inv(double x) { return x == 0.0 ? INFINITY : 1.0 / x; }

/* pow(a, q) without the divide-by-zero flag at a = 0, q < 0 (see dd_inv). */
static inline double dd_pow_flagless(double a, double q) {
    if (a == 0.0 && q < 0.0)
        return (signbit(a) && isfinite(q) && q == floor(q) && fmod(q, 2.0) != 0.0)
               ? -INFINITY : INFINITY;   /* -0.0 ** odd negative integer: -inf */
    return pow(a, q);
}

/* Zero derivative of a piecewise-constant function, nan for a nan input. */
static inline double dd_flat(double a) { return a == a ? 0.0 : a; }

/* exp(-s * a * a) for s = 1 or 1/2, with the rounding error of a*a
 * corrected (a*a is off by up to half an ulp of a*a, which is many ulps of
 * the exponential once a*a is large: erf' at 10 would be off by ~60 ulps). */
static inline double dd_gauss_e(double a, double s, double e) {
    double h = a * a;
    if (e == 0.0) return 0.0;   /* h may be inf here; fma would give nan */
    return e - e * (s * fma(a, a, -h));
}

static inline double dd_gauss(double a, double s) {
    return dd_gauss_e(a, s, exp(-s * (a * a)));
}

/* sigma(a) and sigma(-a) without overflow or cancellation. */
/* sigma(a) and sigma(-a) from e = exp(-|a|) (the array kernels have NumPy's). */
static inline void dd_sigmoid_pair_e(double a, double e, double *s, double *sm) {
    /* sigma(|a|), sigma(-|a|); e p is e / (1 + e) with one division: within
     * an ulp, and a division is what the array kernel's vector loop waits on */
    double p = 1.0 / (1.0 + e), q = e * p;
    *s = a >= 0.0 ? p : q;
    *sm = a >= 0.0 ? q : p;
}

static inline void dd_sigmoid_pair(double a, double *s, double *sm, double *e_out) {
    double e = exp(-fabs(a));
    dd_sigmoid_pair_e(a, e, s, sm);
    if (e_out) *e_out = e;
}

/* softplus(a) = log(1 + e^a) from l = log1p(exp(-|a|)): a + l for a > 0,
 * so that a = 800 does not overflow. */
static inline double dd_softplus_value(double a, double l) {
    return a > 0.0 ? a + l : l;
}

/* sigma'' / sigma' = sigma(-a) - sigma(a) = -tanh(a/2), from expm1 so that
 * it does not cancel near 0. */
static inline double dd_sigmoid_curv(double a, double e) {
    double r = expm1(-fabs(a)) / (1.0 + e);
    return a >= 0.0 ? r : -r;
}

#endif /* DD_NUMERIC_H */
