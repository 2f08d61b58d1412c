/*
 * dd_array.h -- elementwise kernels of dualdiff's arrays (DualArray,
 * HyperDualArray).
 *
 * One loop per call over n points, each point's rule evaluated once for its
 * coefficients (dd_rules.h) and applied at once to every tangent part, the
 * zero-stays-zero products of dd_types.h included.  The value itself is
 * written only when asked (out v non-NULL): where NumPy has the function,
 * the caller takes the value from NumPy so that it equals NumPy's own result
 * to the bit.
 *
 * Tangent layout: k rows of n, row-major (t[j*n + i] is part j of point i).
 * A DualArray has k directions; a HyperDualArray has k = 3, rows e1, e2, e12.
 *
 * NumPy's semantics at a point outside the domain (value nan from a point
 * that is not nan): every tangent part is nan too.
 *
 * Plain C99, no Python API.
 */
#ifndef DD_ARRAY_H
#define DD_ARRAY_H

#include <fenv.h>
#include <stddef.h>

#include "dd_rules.h"
#include "dd_types.h"

/* How the coefficients of a point are found: a table rule, x**p, leaky_relu. */
enum { DD_ARRAY_RULE = 0, DD_ARRAY_POW = 1, DD_ARRAY_LEAKY = 2 };

static inline void dd_array_coeffs(int kind, dd_rule_fn fn, double param,
                                   double a, double f[3], int order) {
    if (kind == DD_ARRAY_POW)
        dd_pow_rule(a, param, f, order);
    else if (kind == DD_ARRAY_LEAKY)
        dd_leaky_relu_rule(a, param, f, order);
    else
        fn(a, f, order);
}

/* The kernels' floating-point flags are not the caller's business: a
 * derivative 1/a at a = 0 must not turn into a NumPy warning later. */
#define DD_FP_SAVE   fexcept_t dd_saved_flags_; fegetexceptflag(&dd_saved_flags_, FE_ALL_EXCEPT)
#define DD_FP_RESTORE fesetexceptflag(&dd_saved_flags_, FE_ALL_EXCEPT)

/* y = f(x) for a DualArray: d = f'(a) t, k directions. */
static void dd_array_dual(int kind, int rule, double param, size_t n, size_t k,
                          const double *a, const double *t, double *v, double *d) {
    dd_rule_fn fn = (kind == DD_ARRAY_RULE) ? dd_rules[rule].fn : NULL;
    double f[3] = {0.0, 0.0, 0.0};
    size_t i, j;
    DD_FP_SAVE;
    for (i = 0; i < n; i++) {
        double c;
        dd_array_coeffs(kind, fn, param, a[i], f, 1);
        c = (f[0] != f[0] && a[i] == a[i]) ? NAN : f[1];
        if (v) v[i] = f[0];
        if (k == 1) {
            d[i] = dd_tz(t[i], c);
        } else {
            for (j = 0; j < k; j++)
                d[j * n + i] = dd_tz(t[j * n + i], c);
        }
    }
    DD_FP_RESTORE;
}

/* y = f(x) for a HyperDualArray: rows e1, e2, e12 of t and d. */
static void dd_array_hyper(int kind, int rule, double param, size_t n,
                           const double *a, const double *t, double *v, double *d) {
    dd_rule_fn fn = (kind == DD_ARRAY_RULE) ? dd_rules[rule].fn : NULL;
    double f[3] = {0.0, 0.0, 0.0};
    size_t i;
    DD_FP_SAVE;
    for (i = 0; i < n; i++) {
        dd_hyper x, r;
        dd_array_coeffs(kind, fn, param, a[i], f, 2);
        x = dd_hyper_make(a[i], t[i], t[n + i], t[2 * n + i]);
        if (f[0] != f[0] && a[i] == a[i])
            r = dd_hyper_make(f[0], NAN, NAN, NAN);
        else
            r = dd_hyper_chain(x, f);
        if (v) v[i] = r.re;
        d[i] = r.e1;
        d[n + i] = r.e2;
        d[2 * n + i] = r.e12;
    }
    DD_FP_RESTORE;
}

/* The partials of a two-argument function at n points, for the chain rule
 * of x ** y, arctan2(y, x) and hypot(x, y) with both arguments perturbed:
 * g0, g1 (order >= 1) and h0, h1, h2 (order 2; NULL otherwise) from the
 * values v the caller computed. */
enum { DD_PARTIALS_POW = 0, DD_PARTIALS_ATAN2 = 1, DD_PARTIALS_HYPOT = 2 };

static void dd_array_partials(int op, int order, size_t n, const double *x, const double *y,
                              const double *v, double *g0, double *g1,
                              double *h0, double *h1, double *h2) {
    double g[2] = {0.0, 0.0}, h[3] = {0.0, 0.0, 0.0};
    size_t i;
    DD_FP_SAVE;
    for (i = 0; i < n; i++) {
        if (op == DD_PARTIALS_POW)
            dd_pow2_partials(x[i], y[i], v[i], order, g, h);
        else if (op == DD_PARTIALS_ATAN2)
            dd_atan2_partials(x[i], y[i], order, g, h);
        else
            dd_hypot_partials(x[i], y[i], v[i], order, g, h);
        g0[i] = g[0];
        g1[i] = g[1];
        if (order >= 2) {
            h0[i] = h[0];
            h1[i] = h[1];
            h2[i] = h[2];
        }
    }
    DD_FP_RESTORE;
}

#endif /* DD_ARRAY_H */
