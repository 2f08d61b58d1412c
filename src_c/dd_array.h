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
 * Tangent layout: part j of point i is t[j*trs + i*tps]: k rows of n,
 * row-major (trs = n, tps = 1), or one constant per row broadcast to every
 * point (trs = 1, tps = 0: a derivative's seed costs no memory).  Results d
 * are always k rows of n.
 * A DualArray has k directions; a HyperDualArray has k = 3, rows e1, e2, e12.
 *
 * NumPy's semantics at a point outside the domain (value nan from a point
 * that is not nan): every tangent part is nan too, exactly-zero ones
 * included.  The value is nan, so there is no derivative to keep; zero stays
 * zero holds where the value exists and only a coefficient is infinite.
 *
 * Plain C99, no Python API.
 */
#ifndef DD_ARRAY_H
#define DD_ARRAY_H

#include <fenv.h>
#include <stddef.h>
#include <string.h>

#include "dd_rules.h"
#include "dd_types.h"

/* The kernels' floating-point flags are not the caller's business: a
 * derivative 1/a at a = 0 must not turn into a NumPy warning later. */
#define DD_FP_SAVE   fexcept_t dd_saved_flags_; fegetexceptflag(&dd_saved_flags_, FE_ALL_EXCEPT)
#define DD_FP_RESTORE fesetexceptflag(&dd_saved_flags_, FE_ALL_EXCEPT)

/* Loops of plain arithmetic are marked for the compiler to vectorise
 * (setup.py passes -fopenmp-simd, which honours the mark and nothing else
 * of OpenMP: no runtime, no threads).  The loops that call a rule are not
 * marked: the mark makes the rule's f[3] a per-lane array, which GCC then
 * fails to vectorise, where -O3 alone vectorises every rule whose branches
 * become selects (relu, sqrt, log, exp from its value, ...). */
#if defined(DD_OMP_SIMD)
#define DD_SIMD _Pragma("omp simd")
#else
#define DD_SIMD
#endif

/* The plain-arithmetic kernels are compiled once more for AVX2 and AVX-512
 * where GCC can pick the variant at load time (ifunc: glibc on x86-64);
 * -ffp-contract=off holds in every variant, so each gives the same
 * results, only more points per instruction.  Elsewhere: one baseline
 * build. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__) \
    && !defined(DD_NO_CLONES)
#define DD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DD_CLONES
#endif

/* d = tangent rows times coefficients: row 0 of d holds c[i] on entry; on
 * return row j is tz(t_j, c) for each of the k rows.  Rows go last to first
 * so that row 0 is read before it is overwritten.  A unit seed (t = 1 at
 * every point) leaves c as it is. */
DD_CLONES
static void dd_array_scale_rows(size_t n, size_t k, const double *t, size_t trs, size_t tps,
                                double *d) {
    size_t i, j;
    for (j = k; j-- > 0;) {
        double *dj = d + j * n;
        if (tps == 0) {
            double tj = t[j * trs];
            if (tj == 1.0) {
                if (j > 0) memcpy(dj, d, n * sizeof(double));
                continue;
            }
            DD_SIMD
            for (i = 0; i < n; i++) dj[i] = dd_tz(tj, d[i]);
        } else {
            const double *tr = t + j * trs;
            DD_SIMD
            for (i = 0; i < n; i++) dj[i] = dd_tz(tr[i], d[i]);
        }
    }
}

/* Every tangent part nan at the points outside the domain (value v nan, a
 * not nan; see the top of the file), after the rows' zero-safe products. */
static void dd_array_nan_outside(size_t n, size_t k, const double *a, const double *v,
                                 double *d) {
    size_t i, j;
    for (i = 0; i < n; i++)
        if (v[i] != v[i] && a[i] == a[i])
            for (j = 0; j < k; j++) d[j * n + i] = NAN;
}

/* The loops of one rule, its call written out so that it is inlined with a
 * constant order:
 *   dd_array_dual_NAME:  y = f(x) for a DualArray, d = f'(a) t in k rows;
 *   dd_array_hyper_NAME: y = f(x) for a HyperDualArray, rows e1, e2, e12.
 * Each has two loops (the dual ones write the coefficients f'(a) into d's
 * first row, then dd_array_scale_rows multiplies).  Given `vin`, NumPy's
 * values (the caller's, bitwise NumPy's result), outside the domain is where vin is nan and a is not, and
 * the rule's own value is not needed: with -fno-math-errno the compiler
 * drops a libm call whose result the derivatives do not use.  Without vin,
 * the rule's value is written to v.
 * COEFFS(RULE, a, f, order) fills f; COEFFS_V(RULE, a, value, f, order)
 * too, and may use the value; `param` is the extra argument of pow and
 * leaky_relu. */
#define DD_HYPER_STORE(re, f, outside)                                             \
    {                                                                              \
        dd_hyper r = (outside) ? dd_hyper_make(re, NAN, NAN, NAN)                  \
            : dd_hyper_chain(dd_hyper_make(a[i], t[i * tps], t[trs + i * tps],       \
                                           t[2 * trs + i * tps]), f);              \
        d[i] = r.e1;                                                               \
        d[n + i] = r.e2;                                                           \
        d[2 * n + i] = r.e12;                                                      \
    }

#define DD_ARRAY_LOOPS(NAME, RULE, COEFFS, COEFFS_V)                               \
DD_CLONES                                                                           \
static size_t dd_array_dual_##NAME(double param, size_t n, size_t k, const double *a, \
                                   const double *vin, const double *t, size_t trs,  \
                                   size_t tps, double *v, double *d) {              \
    size_t i, outside = 0;                                                          \
    DD_FP_SAVE;                                                                     \
    (void)param;                                                                    \
    /* the coefficients f'(a) into d's first row, then times the tangents */        \
    if (vin) {                                                                      \
        for (i = 0; i < n; i++) {                                                   \
            double f[3] = {0.0, 0.0, 0.0};                                          \
            COEFFS_V(RULE, a[i], vin[i], f, 1);                                     \
            int off = vin[i] != vin[i] && a[i] == a[i];                             \
            outside += off;                                                         \
            d[i] = off ? NAN : f[1];                                                \
        }                                                                           \
    } else {                                                                        \
        for (i = 0; i < n; i++) {                                                   \
            double f[3] = {0.0, 0.0, 0.0};                                          \
            COEFFS(RULE, a[i], f, 1);                                               \
            int off = f[0] != f[0] && a[i] == a[i];                                 \
            v[i] = f[0];                                                            \
            outside += off;                                                         \
            d[i] = off ? NAN : f[1];                                                \
        }                                                                           \
    }                                                                               \
    dd_array_scale_rows(n, k, t, trs, tps, d);                                      \
    /* the products kept exactly-zero tangents at 0 there; rare, so a second pass */ \
    if (outside) dd_array_nan_outside(n, k, a, vin ? vin : v, d);                  \
    DD_FP_RESTORE;                                                                  \
    return vin ? 0 : outside;                                                       \
}                                                                                   \
static size_t dd_array_hyper_##NAME(double param, size_t n, const double *a,        \
                                    const double *vin, const double *t, size_t trs, \
                                    size_t tps, double *v, double *d) {             \
    double f[3] = {0.0, 0.0, 0.0};                                                  \
    size_t i, outside = 0;                                                          \
    DD_FP_SAVE;                                                                     \
    (void)param;                                                                    \
    if (vin) {                                                                      \
        for (i = 0; i < n; i++) {                                                   \
            COEFFS_V(RULE, a[i], vin[i], f, 2);                                     \
            DD_HYPER_STORE(vin[i], f, vin[i] != vin[i] && a[i] == a[i]);            \
        }                                                                           \
    } else {                                                                        \
        for (i = 0; i < n; i++) {                                                   \
            COEFFS(RULE, a[i], f, 2);                                               \
            int off = f[0] != f[0] && a[i] == a[i];                                 \
            v[i] = f[0];                                                            \
            outside += off;                                                         \
            DD_HYPER_STORE(f[0], f, off);                                           \
        }                                                                           \
    }                                                                               \
    DD_FP_RESTORE;                                                                  \
    return outside;                                                                 \
}

#define DD_COEFFS(RULE, x, f, order) dd_##RULE##_rule(x, f, order)
#define DD_COEFFS_IGNORING_VALUE(RULE, x, value, f, order) dd_##RULE##_rule(x, f, order)
#define DD_COEFFS_FROM_VALUE(RULE, x, value, f, order) dd_##RULE##_rule_v(x, value, f, order)
#define DD_ARRAY_RULE_LOOPS(NAME, flags) \
    DD_ARRAY_LOOPS(NAME, NAME, DD_COEFFS, DD_COEFFS_IGNORING_VALUE)
DD_UNARY_RULES(DD_ARRAY_RULE_LOOPS)
#undef DD_ARRAY_RULE_LOOPS

#define DD_ARRAY_LEAKY_COEFFS(RULE, x, f, order) dd_leaky_relu_rule(x, param, f, order)
#define DD_ARRAY_LEAKY_COEFFS_V(RULE, x, value, f, order) dd_leaky_relu_rule(x, param, f, order)
DD_ARRAY_LOOPS(leaky_relu, leaky_relu, DD_ARRAY_LEAKY_COEFFS, DD_ARRAY_LEAKY_COEFFS_V)
/* log(x)/log(b): param is log(b) (the value comes from the caller, NumPy's) */
#define DD_ARRAY_LOG_BASE_COEFFS(RULE, x, f, order) dd_log_base_rule(x, param, f, order)
#define DD_ARRAY_LOG_BASE_COEFFS_V(RULE, x, value, f, order) dd_log_base_rule(x, param, f, order)
DD_ARRAY_LOOPS(log_base, log_base, DD_ARRAY_LOG_BASE_COEFFS, DD_ARRAY_LOG_BASE_COEFFS_V)

/* x**param: the loops of DD_ARRAY_LOOPS written out, for the scalar types'
 * rescue where f' or f'' is not a normal double (dd_dual_pow_v,
 * dd_hyper_pow_v): (e^x)**-1 at 700 has f' = -e^-1400, yet the tangent
 * e^700 makes the product -e^-700.  The common case pays one test a point;
 * the dual loop that rescues runs only where some point needs it. */
static size_t dd_array_dual_pow(double param, size_t n, size_t k, const double *a,
                                const double *vin, const double *t, size_t trs,
                                size_t tps, double *v, double *d) {
    size_t i, j, outside = 0, rescue = 0;
    DD_FP_SAVE;
    for (i = 0; i < n; i++) {
        double f[3] = {0.0, 0.0, 0.0}, vi = vin ? vin[i] : pow(a[i], param);
        int off = vi != vi && a[i] == a[i];
        dd_pow_rule_v(a[i], param, vi, f, 1);
        if (!vin) v[i] = vi;
        outside += off;
        d[i] = off ? NAN : f[1];
        rescue += !isnormal(d[i]) && dd_pow_rescues(a[i], param, vi);
    }
    if (!rescue) {
        dd_array_scale_rows(n, k, t, trs, tps, d);
    } else {
        for (i = 0; i < n; i++) {
            double vi = vin ? vin[i] : v[i], c = d[i];
            if (!isnormal(c) && dd_pow_rescues(a[i], param, vi)) {
                dd_scaled s[2];
                dd_pow_scaled(a[i], param, vi, 1, s);
                for (j = 0; j < k; j++) d[j * n + i] = dd_sc_tz(t[j * trs + i * tps], s[0]);
            } else {
                for (j = 0; j < k; j++) d[j * n + i] = dd_tz(t[j * trs + i * tps], c);
            }
        }
    }
    /* the products kept exactly-zero tangents at 0 there (as DD_ARRAY_LOOPS) */
    if (outside) dd_array_nan_outside(n, k, a, vin ? vin : v, d);
    DD_FP_RESTORE;
    return vin ? 0 : outside;
}

static size_t dd_array_hyper_pow(double param, size_t n, const double *a,
                                 const double *vin, const double *t, size_t trs,
                                 size_t tps, double *v, double *d) {
    size_t i, outside = 0;
    DD_FP_SAVE;
    for (i = 0; i < n; i++) {
        double vi = vin ? vin[i] : pow(a[i], param);
        int off = vi != vi && a[i] == a[i];
        dd_hyper r = off ? dd_hyper_make(vi, NAN, NAN, NAN)
            : dd_hyper_pow_v(dd_hyper_make(a[i], t[i * tps], t[trs + i * tps],
                                           t[2 * trs + i * tps]), param, vi);
        if (!vin) {
            v[i] = vi;
            outside += off;
        }
        d[i] = r.e1;
        d[n + i] = r.e2;
        d[2 * n + i] = r.e12;
    }
    DD_FP_RESTORE;
    return outside;
}

/* The rules whose derivatives follow from the value (dd_NAME_rule_v): given
 * NumPy's value, their kernels call no libm function at all, or fewer. */
#define DD_VALUE_RULES(X) X(exp) X(sqrt) X(cbrt) X(tanh)
#define DD_ARRAY_VALUE_LOOPS(NAME) \
    DD_ARRAY_LOOPS(v_##NAME, NAME, DD_COEFFS, DD_COEFFS_FROM_VALUE)
DD_VALUE_RULES(DD_ARRAY_VALUE_LOOPS)
#undef DD_ARRAY_VALUE_LOOPS

typedef size_t (*dd_array_dual_fn)(double, size_t, size_t, const double *, const double *,
                                   const double *, size_t, size_t, double *, double *);
typedef size_t (*dd_array_hyper_fn)(double, size_t, const double *, const double *,
                                    const double *, size_t, size_t, double *, double *);

/* The kernels in table order, then pow, leaky_relu and log_base. */
#define DD_ARRAY_POW_INDEX      DD_N_RULES
#define DD_ARRAY_LEAKY_INDEX    (DD_N_RULES + 1)
#define DD_ARRAY_LOG_BASE_INDEX (DD_N_RULES + 2)
#define DD_ARRAY_N_KERNELS      (DD_N_RULES + 3)
#define DD_ARRAY_DUAL_ENTRY(NAME, flags) dd_array_dual_##NAME,
#define DD_ARRAY_HYPER_ENTRY(NAME, flags) dd_array_hyper_##NAME,
static const dd_array_dual_fn dd_array_dual_kernels[DD_ARRAY_N_KERNELS] = {
    DD_UNARY_RULES(DD_ARRAY_DUAL_ENTRY) dd_array_dual_pow, dd_array_dual_leaky_relu,
    dd_array_dual_log_base };
static const dd_array_hyper_fn dd_array_hyper_kernels[DD_ARRAY_N_KERNELS] = {
    DD_UNARY_RULES(DD_ARRAY_HYPER_ENTRY) dd_array_hyper_pow, dd_array_hyper_leaky_relu,
    dd_array_hyper_log_base };
#undef DD_ARRAY_DUAL_ENTRY
#undef DD_ARRAY_HYPER_ENTRY

#define DD_ARRAY_V_DUAL_ENTRY(NAME) [DD_RULE_##NAME] = dd_array_dual_v_##NAME,
#define DD_ARRAY_V_HYPER_ENTRY(NAME) [DD_RULE_##NAME] = dd_array_hyper_v_##NAME,
static const dd_array_dual_fn dd_array_dual_v_kernels[DD_ARRAY_N_KERNELS] = {
    DD_VALUE_RULES(DD_ARRAY_V_DUAL_ENTRY) };
static const dd_array_hyper_fn dd_array_hyper_v_kernels[DD_ARRAY_N_KERNELS] = {
    DD_VALUE_RULES(DD_ARRAY_V_HYPER_ENTRY) };
#undef DD_ARRAY_V_DUAL_ENTRY
#undef DD_ARRAY_V_HYPER_ENTRY

/* x**2, the commonest power, given its values: f' = 2a in one vectorised
 * pass (the general pow kernel tests the exponent at every point). */
DD_CLONES
static void dd_array_dual_square(size_t n, size_t k, const double *a, const double *t,
                                 size_t trs, size_t tps, double *d) {
    size_t i;
    DD_FP_SAVE;
    DD_SIMD
    for (i = 0; i < n; i++) d[i] = 2.0 * a[i];
    dd_array_scale_rows(n, k, t, trs, tps, d);
    DD_FP_RESTORE;
}

/* The kernel of rule `index`; the number of points outside the domain
 * (value nan from a point that is not nan) where it computed the values
 * itself (vin NULL), else 0. */
static size_t dd_array_dual(int index, double param, size_t n, size_t k, const double *a,
                            const double *vin, const double *t, size_t trs, size_t tps,
                            double *v, double *d) {
    if (index == DD_ARRAY_POW_INDEX && param == 2.0 && vin) {
        dd_array_dual_square(n, k, a, t, trs, tps, d);
        return 0;
    }
    if (vin && dd_array_dual_v_kernels[index])
        return dd_array_dual_v_kernels[index](param, n, k, a, vin, t, trs, tps, v, d);
    return dd_array_dual_kernels[index](param, n, k, a, vin, t, trs, tps, v, d);
}

static size_t dd_array_hyper(int index, double param, size_t n, const double *a,
                             const double *vin, const double *t, size_t trs, size_t tps,
                             double *v, double *d) {
    if (vin && dd_array_hyper_v_kernels[index])
        return dd_array_hyper_v_kernels[index](param, n, a, vin, t, trs, tps, v, d);
    return dd_array_hyper_kernels[index](param, n, a, vin, t, trs, tps, v, d);
}

/* sigmoid, softplus, tanh and gelu of a DualArray from an exponential that
 * the caller computes with NumPy's vectorised exp: a libm exp per point
 * cost more than everything else.  Three steps:
 *   dd_array_aux_arg writes the exponent into d's first row: -|a| (sigmoid,
 *   softplus), -2|a| (tanh), -a*a/2 (gelu);
 *   the caller takes exp of that row in place with NumPy (and, for
 *   softplus, log1p of it into v; for tanh, NumPy's tanh into v);
 *   dd_array_dual_aux finishes with the rules' own pieces (dd_sigmoid_pair_e,
 *   dd_softplus_value, dd_tanh_d1, dd_gelu_e) and no libm exp.
 * sigmoid, softplus and gelu write their values over v.  Each point's
 * entries are read before they are written. */
enum { DD_AUX_SIGMOID = 0, DD_AUX_SOFTPLUS = 1, DD_AUX_TANH = 2, DD_AUX_GELU = 3 };

DD_CLONES
static void dd_array_aux_arg(int which, size_t n, const double *a, double *d) {
    size_t i;
    DD_FP_SAVE;
    if (which == DD_AUX_GELU) {
        DD_SIMD
        for (i = 0; i < n; i++) d[i] = -0.5 * (a[i] * a[i]);
    } else {
        double s = which == DD_AUX_TANH ? -2.0 : -1.0;
        DD_SIMD
        for (i = 0; i < n; i++) d[i] = s * fabs(a[i]);
    }
    DD_FP_RESTORE;
}

DD_CLONES
static void dd_array_dual_aux(int which, size_t n, size_t k, const double *a,
                              const double *t, size_t trs, size_t tps, double *v, double *d) {
    const double *e = d, *l = v;
    size_t i;
    DD_FP_SAVE;
    if (which == DD_AUX_TANH) {
        DD_SIMD
        for (i = 0; i < n; i++) d[i] = dd_tanh_d1(a[i], v[i], e[i]);
    } else if (which == DD_AUX_SIGMOID) {
        DD_SIMD
        for (i = 0; i < n; i++) {
            double s, sm;
            dd_sigmoid_pair_e(a[i], e[i], &s, &sm);
            v[i] = s;
            d[i] = s * sm;
        }
    } else if (which == DD_AUX_SOFTPLUS) {
        DD_SIMD
        for (i = 0; i < n; i++) {
            double s, sm, li = l[i];
            dd_sigmoid_pair_e(a[i], e[i], &s, &sm);
            v[i] = dd_softplus_value(a[i], li);
            d[i] = s;
        }
    } else {
        for (i = 0; i < n; i++) {
            double f[3] = {0.0, 0.0, 0.0};
            dd_gelu_e(a[i], e[i], f, 1);
            v[i] = f[0];
            d[i] = f[1];
        }
    }
    dd_array_scale_rows(n, k, t, trs, tps, d);
    DD_FP_RESTORE;
}

/* Values only, over a plain float64 array, of dualdiff's functions that
 * NumPy lacks (dd.sigmoid(x) for an ndarray x): v[i] = f(a[i]), param being
 * leaky_relu's alpha.  sigmoid and gelu find in v on entry the exp of
 * dd_array_aux_arg's exponent, softplus its log1p, taken by the caller with
 * NumPy's vectorised loops as for dd_array_dual_aux (a libm exp per point
 * would cost more than the rest): their values are dd_array_dual_aux's, and
 * the scalar rule's to the bit wherever NumPy's exp and log1p are the C
 * library's.  The others call the rule itself: the scalar value to the bit.
 * No floating-point flag leaks, as the scalar functions raise no warning. */
enum { DD_VALUES_SIGMOID = 0, DD_VALUES_SOFTPLUS = 1, DD_VALUES_GELU = 2,
       DD_VALUES_GELU_TANH = 3, DD_VALUES_ERF = 4, DD_VALUES_ERFC = 5, DD_VALUES_RELU = 6,
       DD_VALUES_LEAKY = 7 };

#define DD_VALUES_LOOP(CALL)                                                       \
    for (i = 0; i < n; i++) {                                                      \
        double f[3] = {0.0, 0.0, 0.0};                                             \
        CALL;                                                                      \
        v[i] = f[0];                                                               \
    }

DD_CLONES
static void dd_array_values(int which, double param, size_t n, const double *a, double *v) {
    size_t i;
    DD_FP_SAVE;
    switch (which) {
    case DD_VALUES_SIGMOID:
        DD_SIMD
        for (i = 0; i < n; i++) {
            double s, sm;
            dd_sigmoid_pair_e(a[i], v[i], &s, &sm);
            v[i] = s;
        }
        break;
    case DD_VALUES_SOFTPLUS:
        DD_SIMD
        for (i = 0; i < n; i++) v[i] = dd_softplus_value(a[i], v[i]);
        break;
    case DD_VALUES_GELU:
        DD_VALUES_LOOP(dd_gelu_e(a[i], v[i], f, 0))
        break;
    case DD_VALUES_GELU_TANH:
        DD_VALUES_LOOP(dd_gelu_tanh_rule(a[i], f, 0))
        break;
    case DD_VALUES_ERF:
        DD_VALUES_LOOP(dd_erf_rule(a[i], f, 0))
        break;
    case DD_VALUES_ERFC:
        DD_VALUES_LOOP(dd_erfc_rule(a[i], f, 0))
        break;
    case DD_VALUES_RELU:
        DD_VALUES_LOOP(dd_relu_rule(a[i], f, 0))
        break;
    default:
        DD_VALUES_LOOP(dd_leaky_relu_rule(a[i], param, f, 0))
        break;
    }
    DD_FP_RESTORE;
}
#undef DD_VALUES_LOOP

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

/* The tangent rows of x * y or x / y at n points, v holding the values (the
 * caller's, from NumPy, so that warnings are NumPy's).  x and y are the real
 * parts, sx and sy 1 for an array and 0 for a constant broadcast to every
 * point; tx and ty are k tangent rows of n each, NULL for a constant.  Order
 * 2: k = 3, the rows e1, e2, e12.  The products are the scalar types' own,
 * zero-safe ones (dd_types.h). */
enum { DD_BINARY_MUL = 0, DD_BINARY_DIV = 1 };

DD_CLONES
static void dd_array_binary(int op, int order, size_t n, size_t k,
                            const double *x, size_t sx, const double *tx,
                            const double *y, size_t sy, const double *ty,
                            const double *v, double *d) {
    size_t i, j;
    DD_FP_SAVE;
    if (order == 1) {
        for (j = 0; j < k; j++) {
            const double *px = tx ? tx + j * n : NULL, *py = ty ? ty + j * n : NULL;
            double *pd = d + j * n;
            if (op == DD_BINARY_MUL) {
                if (px && py) {
                    DD_SIMD
                    for (i = 0; i < n; i++) pd[i] = dd_tz(px[i], y[i * sy]) + dd_tz(py[i], x[i * sx]);
                } else if (px) {
                    DD_SIMD
                    for (i = 0; i < n; i++) pd[i] = dd_tz(px[i], y[i * sy]);
                } else {
                    DD_SIMD
                    for (i = 0; i < n; i++) pd[i] = dd_tz(py[i], x[i * sx]);
                }
            } else {
                if (px && py) {
                    DD_SIMD
                    for (i = 0; i < n; i++) pd[i] = (px[i] - dd_tz(py[i], v[i])) / y[i * sy];
                } else if (px) {
                    DD_SIMD
                    for (i = 0; i < n; i++) pd[i] = px[i] / y[i * sy];
                } else {
                    DD_SIMD
                    for (i = 0; i < n; i++) pd[i] = -dd_tz(py[i], v[i]) / y[i * sy];
                }
            }
        }
    } else {
        for (i = 0; i < n; i++) {
            dd_hyper a = tx ? dd_hyper_make(x[i * sx], tx[i], tx[n + i], tx[2 * n + i])
                            : dd_hyper_make(x[i * sx], 0.0, 0.0, 0.0);
            dd_hyper b = ty ? dd_hyper_make(y[i * sy], ty[i], ty[n + i], ty[2 * n + i])
                            : dd_hyper_make(y[i * sy], 0.0, 0.0, 0.0);
            dd_hyper r = op == DD_BINARY_MUL ? dd_hyper_mul(a, b) : dd_hyper_div(a, b);
            d[i] = r.e1;
            d[n + i] = r.e2;
            d[2 * n + i] = r.e12;
        }
    }
    DD_FP_RESTORE;
}

#endif /* DD_ARRAY_H */
