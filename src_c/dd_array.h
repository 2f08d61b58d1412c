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

/* The kernels' floating-point flags are not the caller's business: a
 * derivative 1/a at a = 0 must not turn into a NumPy warning later. */
#define DD_FP_SAVE   fexcept_t dd_saved_flags_; fegetexceptflag(&dd_saved_flags_, FE_ALL_EXCEPT)
#define DD_FP_RESTORE fesetexceptflag(&dd_saved_flags_, FE_ALL_EXCEPT)

/* Outside the domain: the value is nan at a point that is not. `vin` is the
 * value the caller already has from NumPy (NULL: the rule's own); with it,
 * and without errno (-fno-math-errno), a rule's value that its derivative
 * does not use is not computed at all. */
#define DD_OUTSIDE(i, f0) ((vin ? vin[i] != vin[i] : (f0) != (f0)) && a[i] == a[i])

/* The loops of one rule, its call written out so that it is inlined with a
 * constant order:
 *   dd_array_dual_NAME:  y = f(x) for a DualArray, d = f'(a) t in k rows;
 *   dd_array_hyper_NAME: y = f(x) for a HyperDualArray, rows e1, e2, e12.
 * COEFFS(a, f, order) fills f; PARAM is the extra argument of pow and
 * leaky_relu (unused by table rules). */
#define DD_ARRAY_LOOPS(NAME, COEFFS)                                               \
static void dd_array_dual_##NAME(double param, size_t n, size_t k, const double *a, \
                                 const double *vin, const double *t, double *v,     \
                                 double *d) {                                       \
    double f[3] = {0.0, 0.0, 0.0};                                                  \
    size_t i, j;                                                                    \
    DD_FP_SAVE;                                                                     \
    (void)param;                                                                    \
    for (i = 0; i < n; i++) {                                                       \
        double c;                                                                   \
        COEFFS(a[i], f, 1);                                                         \
        c = DD_OUTSIDE(i, f[0]) ? NAN : f[1];                                       \
        if (v) v[i] = f[0];                                                         \
        if (k == 1) {                                                               \
            d[i] = dd_tz(t[i], c);                                                  \
        } else {                                                                    \
            for (j = 0; j < k; j++)                                                 \
                d[j * n + i] = dd_tz(t[j * n + i], c);                              \
        }                                                                           \
    }                                                                               \
    DD_FP_RESTORE;                                                                  \
}                                                                                   \
static void dd_array_hyper_##NAME(double param, size_t n, const double *a,          \
                                  const double *vin, const double *t, double *v,    \
                                  double *d) {                                      \
    double f[3] = {0.0, 0.0, 0.0};                                                  \
    size_t i;                                                                       \
    DD_FP_SAVE;                                                                     \
    (void)param;                                                                    \
    for (i = 0; i < n; i++) {                                                       \
        dd_hyper r;                                                                 \
        COEFFS(a[i], f, 2);                                                         \
        if (DD_OUTSIDE(i, f[0]))                                                    \
            r = dd_hyper_make(f[0], NAN, NAN, NAN);                                 \
        else                                                                        \
            r = dd_hyper_chain(dd_hyper_make(a[i], t[i], t[n + i], t[2 * n + i]), f); \
        if (v) v[i] = r.re;                                                         \
        d[i] = r.e1;                                                                \
        d[n + i] = r.e2;                                                            \
        d[2 * n + i] = r.e12;                                                       \
    }                                                                               \
    DD_FP_RESTORE;                                                                  \
}

#define DD_ARRAY_RULE_LOOPS(NAME, flags) DD_ARRAY_LOOPS(NAME, dd_##NAME##_rule)
DD_UNARY_RULES(DD_ARRAY_RULE_LOOPS)
#undef DD_ARRAY_RULE_LOOPS

#define DD_ARRAY_POW_COEFFS(x, f, order) dd_pow_rule(x, param, f, order)
#define DD_ARRAY_LEAKY_COEFFS(x, f, order) dd_leaky_relu_rule(x, param, f, order)
DD_ARRAY_LOOPS(pow, DD_ARRAY_POW_COEFFS)
DD_ARRAY_LOOPS(leaky_relu, DD_ARRAY_LEAKY_COEFFS)

typedef void (*dd_array_dual_fn)(double, size_t, size_t, const double *, const double *,
                                 const double *, double *, double *);
typedef void (*dd_array_hyper_fn)(double, size_t, const double *, const double *,
                                  const double *, double *, double *);

/* The kernels in table order, then pow and leaky_relu. */
#define DD_ARRAY_POW_INDEX   DD_N_RULES
#define DD_ARRAY_LEAKY_INDEX (DD_N_RULES + 1)
#define DD_ARRAY_DUAL_ENTRY(NAME, flags) dd_array_dual_##NAME,
#define DD_ARRAY_HYPER_ENTRY(NAME, flags) dd_array_hyper_##NAME,
static const dd_array_dual_fn dd_array_dual_kernels[DD_N_RULES + 2] = {
    DD_UNARY_RULES(DD_ARRAY_DUAL_ENTRY) dd_array_dual_pow, dd_array_dual_leaky_relu };
static const dd_array_hyper_fn dd_array_hyper_kernels[DD_N_RULES + 2] = {
    DD_UNARY_RULES(DD_ARRAY_HYPER_ENTRY) dd_array_hyper_pow, dd_array_hyper_leaky_relu };
#undef DD_ARRAY_DUAL_ENTRY
#undef DD_ARRAY_HYPER_ENTRY

static void dd_array_dual(int index, double param, size_t n, size_t k, const double *a,
                          const double *vin, const double *t, double *v, double *d) {
    dd_array_dual_kernels[index](param, n, k, a, vin, t, v, d);
}

static void dd_array_hyper(int index, double param, size_t n, const double *a,
                           const double *vin, const double *t, double *v, double *d) {
    dd_array_hyper_kernels[index](param, n, a, vin, t, v, d);
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
