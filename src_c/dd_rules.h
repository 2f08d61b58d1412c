/*
 * dd_rules.h -- the rule table of dualdiff.
 *
 * Every elementary function is written once, as its Taylor coefficients at a
 * float a: f[0] = f(a), f[1] = f'(a), f[2] = f''(a).  `order` says how many
 * coefficients the caller needs (0, 1 or 2); a rule may fill more when that
 * costs nothing.  Number types combine these coefficients with their own
 * parts in dd_types.h; no type differentiates anything itself.
 *
 * Accuracy: a few ulps relative to the true coefficient, tails included.
 * Forms that cancel (1 - tanh^2, sigma*(1 - sigma), 1 - x^2 near 1) are
 * avoided; each unusual form says why in one line.
 *
 * Plain C99, no Python API.
 */
#ifndef DD_RULES_H
#define DD_RULES_H

#include <math.h>
#include <stddef.h>

#define DD_LN2       0.693147180559945309417232121458   /* log(2) */
#define DD_LOG2E     1.44269504088896340735992468100    /* 1/log(2) */
#define DD_LOG10E    0.434294481903251827651128918917   /* 1/log(10) */
#define DD_2_SQRTPI  1.12837916709551257389615890312    /* 2/sqrt(pi) */
#define DD_1_SQRT2PI 0.398942280401432677939946059934   /* 1/sqrt(2 pi) */
#define DD_SQRT2     1.41421356237309504880168872421    /* sqrt(2) */
#define DD_SQRT1_2   0.707106781186547524400844362105   /* 1/sqrt(2), rounded */
#define DD_SQRT1_2_LO (-4.833646656726457e-17)          /* 1/sqrt(2) - DD_SQRT1_2 */
#define DD_GELU_K    1.5957691216057308                 /* 2 sqrt(2/pi), rounded (tanh-GELU) */
#define DD_GELU_K_LO (-9.96930880911092e-17)            /* 2 sqrt(2/pi) - DD_GELU_K */
#define DD_GELU_C    0.044715                           /* the decimal 0.044715, rounded */
#define DD_GELU_C_LO 2.1960211427085595e-18             /* 0.044715 - DD_GELU_C */
#define DD_GELU_3KC  0.21406444881780073                /* 3 K C, rounded once: w'  = K + 3KC x^2 */
#define DD_GELU_6KC  0.42812889763560147                /* 6 K C, rounded once: w'' = 6KC x */

typedef void (*dd_rule_fn)(double a, double f[3], int order);

#include "dd_numeric.h"

/* ------------------------------------------------------------------ */
/* Exponentials and logarithms                                         */
/* ------------------------------------------------------------------ */

/* Rules named dd_NAME_rule_v take the value v = f(a) from their caller
 * (the array kernels have NumPy's): the derivatives follow from it without
 * another libm call. */
static inline void dd_exp_rule_v(double a, double v, double f[3], int order) {
    (void)a;
    (void)order;
    f[0] = f[1] = f[2] = v;
}

static void dd_exp_rule(double a, double f[3], int order) {
    dd_exp_rule_v(a, exp(a), f, order);
}

static inline void dd_exp2_rule_v(double a, double v, double f[3], int order) {
    (void)a;
    f[0] = v;
    if (order < 1) return;
    f[1] = f[0] * DD_LN2;
    f[2] = f[1] * DD_LN2;
}

static void dd_exp2_rule(double a, double f[3], int order) {
    dd_exp2_rule_v(a, exp2(a), f, order);
}

static void dd_expm1_rule(double a, double f[3], int order) {
    f[0] = expm1(a);
    if (order < 1) return;
    f[1] = f[2] = exp(a);
}

static void dd_log_rule(double a, double f[3], int order) {
    f[0] = log(a);
    if (order < 1) return;
    f[1] = 1.0 / a;
    f[2] = -f[1] * f[1];   /* not -1/(a*a): a*a underflows first */
}

/* log(a)/log(b) with lnb = log(b) given, as leaky_relu takes alpha: the
 * value is the quotient of the two logarithms to the bit; f'' is
 * -(1/a) ((1/a)/lnb), not (-(1/a)^2)/lnb, which overflows first for a in
 * about [2.8e-155, 7.5e-155] where the result is finite. */
static inline void dd_log_base_rule(double a, double lnb, double f[3], int order) {
    double d;
    f[0] = log(a) / lnb;
    if (order < 1) return;
    d = 1.0 / a;
    f[1] = d / lnb;
    f[2] = -d * f[1];
}

static void dd_log2_rule(double a, double f[3], int order) {
    f[0] = log2(a);
    if (order < 1) return;
    f[1] = DD_LOG2E / a;
    f[2] = -f[1] / a;
}

static void dd_log10_rule(double a, double f[3], int order) {
    f[0] = log10(a);
    if (order < 1) return;
    f[1] = DD_LOG10E / a;
    f[2] = -f[1] / a;
}

static void dd_log1p_rule(double a, double f[3], int order) {
    f[0] = log1p(a);
    if (order < 1) return;
    f[1] = 1.0 / (1.0 + a);   /* 1 + a is exact for a in [-2, -0.5] */
    f[2] = -f[1] * f[1];
}

/* ------------------------------------------------------------------ */
/* Roots and powers                                                    */
/* ------------------------------------------------------------------ */

static inline void dd_sqrt_rule_v(double a, double v, double f[3], int order) {
    f[0] = v;
    if (order < 1) return;
    f[1] = 0.5 * dd_inv(fabs(f[0]));  /* fabs: sqrt(-0.0) = -0.0, yet sqrt'(0) = +inf */
    f[2] = -0.5 * f[1] / fabs(a);
}

static void dd_sqrt_rule(double a, double f[3], int order) {
    dd_sqrt_rule_v(a, sqrt(a), f, order);
}

static inline void dd_cbrt_rule_v(double a, double v, double f[3], int order) {
    double c = v;
    f[0] = v;
    if (order < 1) return;
    /* glibc's cbrt is up to ~3 ulps off (2.4 at a = 1.93e-178): one Newton
     * step, c -= (c^3 - a) / (3c^2), leaves about 1 ulp for the derivative
     * (c^3 is within 2 roundings of a, so c^3 - a is nearly exact); only
     * where c^3 is a normal number, else it would lose digits */
    if (isnormal(a) && isnormal(c * c * c))
        c -= (c * c * c - a) / (3.0 * c * c);
    /* cbrt(a)/(3a) rounds less than 1/(3 cbrt(a)^2); at 0 and inf only the latter has the limit */
    f[1] = (a == 0.0 || isinf(a)) ? dd_inv(3.0 * f[0] * f[0]) : c / a / 3.0;
    f[2] = (-2.0 / 3.0) * f[1] / a;
}

static void dd_cbrt_rule(double a, double f[3], int order) {
    dd_cbrt_rule_v(a, cbrt(a), f, order);
}

/* pow's f' = p v/a and f'' = f' (p-1)/a in dd_scaled form, written to f
 * where f' is a nonzero double (if subnormal): then 1, else 0. */
static DD_COLD int dd_pow_rule_scaled(double a, double p, double v, double f[3], int order) {
    dd_scaled c = dd_sc_mul(dd_sc_div(dd_sc(v), a), p);
    double d1 = dd_sc_value(c);
    if (d1 == 0.0 || !isfinite(d1)) return 0;
    f[1] = d1;
    if (order > 1) f[2] = dd_sc_value(dd_sc_div(dd_sc_mul(c, p - 1.0), a));
    return 1;
}

/* x**p for a constant exponent p. */
/* The value v = a**p given (the array kernels have NumPy's). */
static inline void dd_pow_rule_v(double a, double p, double v, double f[3], int order) {
    double d1, d2;
    f[0] = v;
    if (order < 1) return;
    if (p == 0.0) { f[1] = f[2] = 0.0; return; }   /* x**0 == 1, 0**0 included */
    if (p == 1.0) { f[1] = 1.0; f[2] = 0.0; return; }  /* avoid 0 * 0**-1 */
    if (p == 2.0) { f[1] = 2.0 * a; f[2] = 2.0; return; }
    /* p (v/a), not p a^(p-1): the rounding of p - 1 would be amplified by
     * |log a|.  The power form stays where v or v/a leaves the normal range. */
    if (isnormal(v)) {                 /* then a is finite and not 0 */
        d1 = p * (v / a);
        if (isnormal(d1)) {
            f[1] = d1;
            if (order < 2) return;
            d2 = d1 * (p - 1.0) / a;
            if (!isnormal(d2))         /* d1 (p - 1) may overflow where d2 does not */
                d2 = dd_sc_value(dd_sc_div(dd_sc_mul(dd_sc(d1), p - 1.0), a));
            f[2] = d2;
            return;
        }
        /* v/a alone may overflow (x**x at a subnormal x), or d1 be subnormal:
         * the same products in dd_scaled form, as dd_pow_scaled has them */
        if (dd_pow_rule_scaled(a, p, v, f, order)) return;
    }
    f[1] = p * dd_pow_flagless(a, p - 1.0);
    if (order < 2) return;
    f[2] = p * (p - 1.0) * dd_pow_flagless(a, p - 2.0);
}

/* Where pow's f' or f'' is not a normal double, a chain rule asks whether
 * dd_pow_scaled can give them: a finite nonzero base, a finite exponent
 * other than 0, 1, 2 (whose coefficients are exact), a value that is not a
 * domain error.  (e^x)**-1 at x = 700: f' = -e^-1400 underflows, yet the
 * tangent e^700 brings the product back to -e^-700. */
static inline int dd_pow_rescues(double a, double p, double v) {
    return isfinite(a) && a != 0.0 && isfinite(p) && v == v
           && p != 0.0 && p != 1.0 && p != 2.0;
}

/* c |a|^q: the k-th power of r = |a|^(q/k) for the first k = 1, 2, 4, 8
 * whose r is a normal double (a^q itself may lie beyond the doubles). */
static inline dd_scaled dd_sc_mul_pow(dd_scaled c, double a, double q) {
    double r = 0.0;
    int k, i;
    for (k = 1; k <= 8; k *= 2) {
        r = pow(fabs(a), q / k);
        if (isnormal(r)) break;
    }
    if (k > 8) k = 8;
    for (i = 0; i < k; i++) c = dd_sc_mul(c, r);
    return c;
}

/* pow's f' (c[0]) and f'' (c[1]) in dd_scaled form: p (v/a) and f' (p-1)/a
 * as dd_pow_rule_v rounds them where v is normal; else p a^(p-1) and
 * p (p-1) a^(p-2) (dd_sc_mul_pow), with the sign of an integer power of a
 * negative a. */
static inline void dd_pow_scaled(double a, double p, double v, int order, dd_scaled c[2]) {
    double odd;
    if (isnormal(v)) {
        c[0] = dd_sc_mul(dd_sc_div(dd_sc(v), a), p);
        if (order > 1) c[1] = dd_sc_div(dd_sc_mul(c[0], p - 1.0), a);
        return;
    }
    odd = a < 0.0 ? fabs(fmod(p, 2.0)) : 0.0;   /* a < 0: p is an integer (v is not nan) */
    c[0] = dd_sc_mul_pow(dd_sc(odd == 0.0 && a < 0.0 ? -p : p), a, p - 1.0);
    if (order > 1)
        c[1] = dd_sc_mul_pow(dd_sc_mul(dd_sc(odd != 0.0 ? -p : p), p - 1.0), a, p - 2.0);
}

static inline void dd_pow_rule(double a, double p, double f[3], int order) {
    dd_pow_rule_v(a, p, pow(a, p), f, order);
}

/* Partials of x**y in both arguments (x > 0, or x <= 0 with y an integer).
 * g[0] = d/dx, g[1] = d/dy; h[0] = d2/dx2, h[1] = d2/dxdy, h[2] = d2/dy2. */
static inline void dd_pow2_partials(double x, double y, double v, int order,
                                    double g[2], double h[3]) {
    double p[3] = {0.0, 0.0, 0.0};
    /* d/dy x**y = x**y log x; where x**y is 0 (x = 0, y > 0) the limit is 0 */
    double lx = v == 0.0 ? 0.0 : log(x);
    dd_pow_rule(x, y, p, order);
    g[0] = p[1];
    g[1] = v * lx;
    if (order < 2) return;
    h[0] = p[2];
    if (x == 0.0 && y > 1.0) {
        h[1] = 0.0;
    } else {
        /* x^(y-1) as v/x where both are normal: y - 1 is rounded, and log x
         * amplifies that (8 ulps at 517 ** -1.408) */
        double q = v / x;
        h[1] = (isnormal(v) && isnormal(q) ? q : dd_pow_flagless(x, y - 1.0)) * (1.0 + y * lx);
    }
    h[2] = g[1] * lx;
}

/* ------------------------------------------------------------------ */
/* Trigonometric functions                                             */
/* ------------------------------------------------------------------ */

static void dd_sin_rule(double a, double f[3], int order) {
    f[0] = sin(a);
    if (order < 1) return;
    f[1] = cos(a);
    f[2] = -f[0];
}

static void dd_cos_rule(double a, double f[3], int order) {
    f[0] = cos(a);
    if (order < 1) return;
    f[1] = -sin(a);
    f[2] = -f[0];
}

static inline void dd_tan_rule_v(double a, double v, double f[3], int order) {
    (void)a;
    f[0] = v;
    if (order < 1) return;
    f[1] = 1.0 + f[0] * f[0];   /* sec^2 = 1 + tan^2: a sum of positives */
    f[2] = 2.0 * f[0] * f[1];
}

static void dd_tan_rule(double a, double f[3], int order) {
    dd_tan_rule_v(a, tan(a), f, order);
}

static void dd_arcsin_rule(double a, double f[3], int order) {
    double s;
    f[0] = asin(a);
    if (order < 1) return;
    s = dd_inv(sqrt((1.0 - a) * (1.0 + a)));   /* not 1 - a*a: cancels near +-1 */
    f[1] = s;
    f[2] = a * s * s * s;
}

static void dd_arccos_rule(double a, double f[3], int order) {
    double s;
    f[0] = acos(a);
    if (order < 1) return;
    s = dd_inv(sqrt((1.0 - a) * (1.0 + a)));
    f[1] = -s;
    f[2] = -a * s * s * s;
}

static void dd_arctan_rule(double a, double f[3], int order) {
    double d1, ad1;
    f[0] = atan(a);
    if (order < 1) return;
    if (fabs(a) <= 1.0) {
        d1 = 1.0 / (1.0 + a * a);
        ad1 = a * d1;
    } else {   /* in 1/a, so that a*a cannot overflow and a = inf gives 0 */
        double t = 1.0 / a;
        ad1 = t / (1.0 + t * t);
        d1 = t * ad1;
    }
    f[1] = d1;
    f[2] = -2.0 * ad1 * d1;
}

/* The partials of atan2 and hypot are homogeneous in (x, y).  With
 * r = rs 2^k (rs in [0.5, 1)) each is written as a numerator scaled by a
 * power of two before the one division by powers of rs, so that no
 * intermediate under- or overflows unless the result does: x/r^2 is
 * (x 2^-2k) / rs^2, never (x/r)/r, whose x/r may be subnormal. */

/* atan2(y, x): g = (d/dy, d/dx), h = (d2/dy2, d2/dydx, d2/dx2). */
static inline void dd_atan2_partials(double y, double x, int order,
                                     double g[2], double h[3]) {
    double r = hypot(y, x), ys, xs, rs, y2, x2, q;
    int k;
    if (isinf(r)) {                  /* the limits at infinity (hypot(inf, nan) = inf too) */
        g[0] = g[1] = h[0] = h[1] = h[2] = (x != x || y != y) ? NAN : 0.0;
        return;
    }
    frexp(r, &k);
    ys = ldexp(y, -k); xs = ldexp(x, -k); rs = ldexp(r, -k);
    y2 = ldexp(y, -2 * k); x2 = ldexp(x, -2 * k); q = rs * rs;
    g[0] = x2 / q;
    g[1] = -y2 / q;
    if (order < 2) return;
    h[0] = -2.0 * x2 * y2 / (q * q);
    h[1] = ldexp((ys - xs) * (ys + xs) / (q * q), -2 * k);
    h[2] = -h[0];
}

/* hypot(x, y): g = (d/dx, d/dy), h = (d2/dx2, d2/dxdy, d2/dy2). */
static inline void dd_hypot_partials(double x, double y, double v, int order,
                                     double g[2], double h[3]) {
    double xs, ys, vs, v3;
    int k;
    if (isinf(v)) {                  /* the limits at infinity: x/r -> sign(x) along an infinite x */
        int bad = x != x || y != y;
        g[0] = bad ? NAN : isinf(x) ? copysign(1.0, x) : 0.0;
        g[1] = bad ? NAN : isinf(y) ? copysign(1.0, y) : 0.0;
        h[0] = h[1] = h[2] = bad ? NAN : 0.0;
        return;
    }
    g[0] = x / v;
    g[1] = y / v;
    if (order < 2) return;
    frexp(v, &k);
    xs = ldexp(x, -k); ys = ldexp(y, -k); vs = ldexp(v, -k);
    v3 = vs * vs * vs;
    h[0] = ys * ldexp(ys, -k) / v3;   /* y^2/v^3 = ys (y 2^-2k) / vs^3 */
    h[1] = -xs * ldexp(ys, -k) / v3;
    h[2] = xs * ldexp(xs, -k) / v3;
}

/* ------------------------------------------------------------------ */
/* Hyperbolic functions                                                */
/* ------------------------------------------------------------------ */

static void dd_sinh_rule(double a, double f[3], int order) {
    f[0] = sinh(a);
    if (order < 1) return;
    f[1] = cosh(a);
    f[2] = f[0];
}

static void dd_cosh_rule(double a, double f[3], int order) {
    f[0] = cosh(a);
    if (order < 1) return;
    f[1] = sinh(a);
    f[2] = f[0];
}

/* 1 - tanh^2 is as accurate as the exponential form (<= 2.4 ulps, measured
 * against mpmath on 3000 points per 0.1) up to |a| = 0.8 and worse beyond. */
#define DD_TANH_DIRECT 0.8

/* tanh'(a) = sech^2(a) from v = tanh(a) and, where |a| >= DD_TANH_DIRECT,
 * e2 = exp(-2|a|): 4 e2 / (1 + e2)^2 is exact in the tails. */
static inline double dd_tanh_d1(double a, double v, double e2) {
    return fabs(a) < DD_TANH_DIRECT ? 1.0 - v * v : 4.0 * e2 / ((1.0 + e2) * (1.0 + e2));
}

static inline void dd_tanh_rule_v(double a, double v, double f[3], int order) {
    f[0] = v;
    if (order < 1) return;
    f[1] = dd_tanh_d1(a, v, fabs(a) < DD_TANH_DIRECT ? 0.0 : exp(-2.0 * fabs(a)));
    f[2] = -2.0 * f[0] * f[1];
}

static void dd_tanh_rule(double a, double f[3], int order) {
    dd_tanh_rule_v(a, tanh(a), f, order);
}

static void dd_arcsinh_rule(double a, double f[3], int order) {
    f[0] = asinh(a);
    if (order < 1) return;
    if (fabs(a) <= 1.0) {
        double s = 1.0 / sqrt(1.0 + a * a);
        f[1] = s;
        f[2] = -a * s * s * s;
    } else {   /* in 1/a: no overflow of a*a, and a = inf gives 0 */
        double t = 1.0 / a, s = 1.0 / sqrt(1.0 + t * t);
        f[1] = fabs(t) * s;
        f[2] = -copysign(s, a) * f[1] * f[1];
    }
}

static void dd_arccosh_rule(double a, double f[3], int order) {
    f[0] = acosh(a);
    if (order < 1) return;
    if (a < 2.0) {   /* a - 1 is exact near 1 */
        double s = dd_inv(sqrt(a - 1.0) * sqrt(a + 1.0));
        f[1] = s;
        f[2] = -a * s * s * s;
    } else {         /* in 1/a: no overflow, and a = inf gives 0 */
        double t = 1.0 / a, s = 1.0 / (sqrt(1.0 - t) * sqrt(1.0 + t));
        f[1] = t * s;
        f[2] = -s * f[1] * f[1];
    }
}

static void dd_arctanh_rule(double a, double f[3], int order) {
    double d1;
    f[0] = atanh(a);
    if (order < 1) return;
    d1 = 1.0 / ((1.0 - a) * (1.0 + a));   /* not 1 - a*a: cancels near +-1 */
    f[1] = d1;
    f[2] = 2.0 * a * d1 * d1;
}

/* ------------------------------------------------------------------ */
/* Error functions                                                     */
/* ------------------------------------------------------------------ */

static void dd_erf_rule(double a, double f[3], int order) {
    f[0] = erf(a);
    if (order < 1) return;
    f[1] = DD_2_SQRTPI * dd_gauss(a, 1.0);
    f[2] = dd_tz(f[1], -2.0 * a);   /* a = +-inf: the limit 0, not 0 * inf */
}

static void dd_erfc_rule(double a, double f[3], int order) {
    f[0] = erfc(a);
    if (order < 1) return;
    f[1] = -DD_2_SQRTPI * dd_gauss(a, 1.0);
    f[2] = dd_tz(f[1], -2.0 * a);
}

/* ------------------------------------------------------------------ */
/* Piecewise functions: subgradients at the kinks                      */
/* ------------------------------------------------------------------ */

static void dd_abs_rule(double a, double f[3], int order) {
    (void)order;
    f[0] = fabs(a);
    f[1] = dd_sgn(a);
    f[2] = dd_flat(a);
}

static void dd_sign_rule(double a, double f[3], int order) {
    (void)order;
    f[0] = dd_sgn(a);
    f[1] = f[2] = dd_flat(a);
}

static void dd_floor_rule(double a, double f[3], int order) {
    (void)order;
    f[0] = floor(a);
    f[1] = f[2] = dd_flat(a);
}

static void dd_ceil_rule(double a, double f[3], int order) {
    (void)order;
    f[0] = ceil(a);
    f[1] = f[2] = dd_flat(a);
}

/* NumPy's constants, 180/pi and pi/180 rounded as NumPy's deg2rad and
 * rad2deg compute them, so that the values agree with NumPy's bit for bit. */
#define DD_PI_180 (3.14159265358979323846 / 180.0)
#define DD_180_PI (180.0 / 3.14159265358979323846)

static void dd_deg2rad_rule(double a, double f[3], int order) {
    f[0] = a * DD_PI_180;
    if (order < 1) return;
    f[2] = dd_flat(a);                            /* 0, or nan at nan */
    f[1] = DD_PI_180 + f[2];
}

static void dd_rad2deg_rule(double a, double f[3], int order) {
    f[0] = a * DD_180_PI;
    if (order < 1) return;
    f[2] = dd_flat(a);                            /* 0, or nan at nan */
    f[1] = DD_180_PI + f[2];
}

static void dd_relu_rule(double a, double f[3], int order) {
    (void)order;
    f[0] = (a > 0.0 || a != a) ? a : 0.0;   /* nan passes through, as in np.maximum */
    f[1] = a > 0.0 ? 1.0 : dd_flat(a);
    f[2] = dd_flat(a);
}

static inline void dd_leaky_relu_rule(double a, double alpha, double f[3], int order) {
    (void)order;
    f[0] = a > 0.0 ? a : alpha * a;
    f[1] = a > 0.0 ? 1.0 : (a == a ? alpha : a);
    f[2] = dd_flat(a);
}

/* ------------------------------------------------------------------ */
/* Smooth activations                                                  */
/* ------------------------------------------------------------------ */

static void dd_sigmoid_rule(double a, double f[3], int order) {
    double s, sm, e;
    dd_sigmoid_pair(a, &s, &sm, &e);
    f[0] = s;
    if (order < 1) return;
    f[1] = s * sm;                    /* sigma(a) sigma(-a), not sigma (1 - sigma) */
    if (order < 2) return;
    f[2] = f[1] * dd_sigmoid_curv(a, e);
}

static void dd_softplus_rule(double a, double f[3], int order) {
    double s, sm;
    f[0] = dd_softplus_value(a, log1p(exp(-fabs(a))));
    if (order < 1) return;
    dd_sigmoid_pair(a, &s, &sm, NULL);
    f[1] = s;
    f[2] = s * sm;
}

/* GELU, exact: x Phi(x), Phi the standard normal CDF. */
/* gelu from e = exp(-a*a/2) (its exponent rounded as dd_gauss's is; the
 * array kernel has it from NumPy). */
static inline void dd_gelu_e(double a, double e, double f[3], int order) {
    /* Phi(a) = erfc(-a/sqrt2)/2.  erfc is steep in the left tail, so the
     * rounding error of a/sqrt2 is corrected to first order: at a = -10 it
     * would otherwise cost ~100 ulps. */
    double t = a * DD_SQRT1_2;
    double dt = fma(a, DD_SQRT1_2, -t) + a * DD_SQRT1_2_LO;
    double phi = DD_1_SQRT2PI * dd_gauss_e(a, 0.5, e);
    double P = 0.5 * erfc(-t) + dd_tz(DD_SQRT2 * phi, dt);   /* phi = 0 in the far tails, where dt may be nan */
    f[0] = dd_tz(P, a);               /* a = -inf: the limit 0, not inf * 0 */
    if (order < 1) return;
    f[1] = P + dd_tz(phi, a);
    f[2] = dd_tz(phi, 2.0 - a * a);
}

static void dd_gelu_rule(double a, double f[3], int order) {
    dd_gelu_e(a, exp(-0.5 * (a * a)), f, order);
}

/* GELU, tanh approximation: x (1 + tanh(w/2))/2 = x sigma(w),
 * w = 2 sqrt(2/pi) (x + 0.044715 x^3).  Written with sigma so that the left
 * tail does not cancel in 1 + tanh. */
static void dd_gelu_tanh_rule(double a, double f[3], int order) {
    /* w in double-double: sigma(w) amplifies the rounding error of w by |w|
     * (~80 at a = -10); the low part corrects sigma and sigma' to first order. */
    double a2 = a * a, a2_lo = fma(a, a, -a2);
    double a3 = a2 * a, a3_lo = fma(a2, a, -a3) + a2_lo * a;
    double q = DD_GELU_C * a3;
    double q_lo = fma(DD_GELU_C, a3, -q) + DD_GELU_C * a3_lo + DD_GELU_C_LO * a3;
    double t = a + q, tb = t - a, t_lo = ((a - (t - tb)) + (q - tb)) + q_lo;
    double w = DD_GELU_K * t, w_lo = fma(DD_GELU_K, t, -w) + DD_GELU_K * t_lo + DD_GELU_K_LO * t;
    double s, sm, e, sp, w1, w2;
    dd_sigmoid_pair(w, &s, &sm, &e);
    sp = s * sm;                                  /* sigma'(w) */
    if (isfinite(w_lo)) {                         /* not in the far tails, where a^3 overflows */
        s += sp * w_lo;
        sp += sp * (sm - s) * w_lo;
    }
    f[0] = dd_tz(s, a);
    if (order < 1) return;
    w1 = DD_GELU_K + DD_GELU_3KC * a2;
    f[1] = s + dd_tz(sp, a * w1);                 /* sigma' = 0 in the far tails, where w1 may be inf */
    if (order < 2) return;
    w2 = DD_GELU_6KC * a;
    f[2] = dd_tz(sp, 2.0 * w1 + a * (dd_sigmoid_curv(w, e) * w1 * w1 + w2));
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

/* What a finite input that gives an infinite value means for scalars (the
 * math module's convention): a domain error (log(0)) or an overflow (exp). */
#define DD_POLE      0
#define DD_OVERFLOWS 1

typedef struct {
    const char *name;
    dd_rule_fn fn;
    int flags;
} dd_rule_entry;

/* DD_UNARY_RULES(X): X(name, flags), one per rule, in rule-id order.  The
 * list is dualdiff/_spec.py's: dualdiff/_codegen.py writes it to dd_spec.h in
 * the build directory, which setup.py puts on the include path. */
#include "dd_spec.h"

#define DD_ENUM_ENTRY(name, flags) DD_RULE_##name,
enum { DD_UNARY_RULES(DD_ENUM_ENTRY) DD_N_RULES };
#undef DD_ENUM_ENTRY

#define DD_TABLE_ENTRY(name, flags) { #name, dd_##name##_rule, flags },
static const dd_rule_entry dd_rules[DD_N_RULES] = { DD_UNARY_RULES(DD_TABLE_ENTRY) };
#undef DD_TABLE_ENTRY

/* Status of a scalar result, as the math module judges it. */
#define DD_OK    0
#define DD_EDOM  1
#define DD_ERANGE 2

static inline int dd_value_status(double a, double v, int flags) {
    if (v != v) return a != a ? DD_OK : DD_EDOM;
    if (isinf(v) && isfinite(a)) return (flags & DD_OVERFLOWS) ? DD_ERANGE : DD_EDOM;
    return DD_OK;
}

/* Status of x**p for scalars, as Python's float ** judges it. */
#define DD_EZERODIV 3
static inline int dd_pow_status(double a, double p, double v) {
    if (a == 0.0 && p < 0.0 && isfinite(p)) return DD_EZERODIV;   /* 0.0 ** -1; 0.0 ** -inf is inf */
    if (a < 0.0 && isfinite(a) && isfinite(p) && p != floor(p))
        return DD_EDOM;                                   /* complex result */
    if (isinf(v) && isfinite(a) && isfinite(p)) return DD_ERANGE;
    return DD_OK;
}

/* ------------------------------------------------------------------ */
/* Sequences: values only (number types compose them from exp and log) */
/* ------------------------------------------------------------------ */

static inline double dd_max_of(const double *x, size_t n) {
    double m = -INFINITY;
    size_t i;
    for (i = 0; i < n; i++) {
        if (x[i] != x[i]) return x[i];
        if (x[i] > m) m = x[i];
    }
    return m;
}

/* log(sum(exp(x))) shifted by the maximum, so that nothing overflows. */
static inline double dd_logsumexp(const double *x, size_t n) {
    double m = dd_max_of(x, n), s = 0.0;
    size_t i;
    if (!isfinite(m)) return m;   /* nan, all -inf, or an inf term */
    for (i = 0; i < n; i++) s += exp(x[i] - m);
    return m + log(s);
}

static inline void dd_softmax(const double *x, size_t n, double *out) {
    double m = dd_max_of(x, n), s = 0.0;
    size_t i;
    for (i = 0; i < n; i++) { out[i] = exp(x[i] - m); s += out[i]; }
    for (i = 0; i < n; i++) out[i] /= s;
}

#endif /* DD_RULES_H */
