/*
 * dd_sparse.h -- sparse gradient tangents for one-pass gradients.
 *
 * A GradientDual is a + sum_i g_i e_i with e_i e_j = 0: a value and the
 * partial derivatives with respect to the variables it depends on.  The
 * partials are stored sparsely, as indices in increasing order and their
 * values, so that an operation costs O(number of variables involved), not
 * O(n): in loop-written code (Rosenbrock's terms) most intermediate values
 * depend on one or two variables.
 *
 * Every operation on tangents is one of two kernels: a scaled copy (the
 * chain rule, f'(a) g) and a merge of two scaled tangents (sums, products,
 * quotients, two-argument functions: s g + t h).  An exactly-zero partial
 * stays zero (dd_tz), as for the scalar types.
 *
 * Plain C99, no Python API.
 */
#ifndef DD_SPARSE_H
#define DD_SPARSE_H

#include <stdint.h>

#include "dd_rules.h"

/* r = s * g; returns the number of entries (n). */
static inline int dd_sp_scale(double s, const int *gi, const double *gv, int n,
                              int *ri, double *rv) {
    int k;
    for (k = 0; k < n; k++) {
        ri[k] = gi[k];
        rv[k] = dd_tz(gv[k], s);
    }
    return n;
}

/* r = s * g + t * h, merging the index lists; r has room for ng + nh
 * entries; returns the number written. */
static inline int dd_sp_axpby(double s, const int *gi, const double *gv, int ng,
                              double t, const int *hi, const double *hv, int nh,
                              int *ri, double *rv) {
    int a = 0, b = 0, k = 0;
    while (a < ng && b < nh) {
        if (gi[a] < hi[b]) {
            ri[k] = gi[a]; rv[k++] = dd_tz(gv[a++], s);
        } else if (hi[b] < gi[a]) {
            ri[k] = hi[b]; rv[k++] = dd_tz(hv[b++], t);
        } else {
            ri[k] = gi[a];
            rv[k++] = dd_tz(gv[a++], s) + dd_tz(hv[b++], t);
        }
    }
    while (a < ng) { ri[k] = gi[a]; rv[k++] = dd_tz(gv[a++], s); }
    while (b < nh) { ri[k] = hi[b]; rv[k++] = dd_tz(hv[b++], t); }
    return k;
}

/* The size of the merged index list of g and h, without writing it. */
static inline int dd_sp_union_size(const int *gi, int ng, const int *hi, int nh) {
    int a = 0, b = 0, k = 0;
    while (a < ng && b < nh) {
        if (gi[a] < hi[b]) a++;
        else if (hi[b] < gi[a]) b++;
        else { a++; b++; }
        k++;
    }
    return k + (ng - a) + (nh - b);
}

/* ------------------------------------------------------------------ */
/* Hessians: entries keyed by the pair (i, j), all n^2 of them stored  */
/* where present (both (i, j) and (j, i)), in increasing key order.    */
/* Storing both halves keeps every kernel a merge of sorted lists; the */
/* dense Hessian is read off one triangle, so it is exactly symmetric. */
/* ------------------------------------------------------------------ */

typedef uint64_t dd_key;

static inline dd_key dd_pair(int i, int j) {
    return ((dd_key)(uint32_t)i << 32) | (dd_key)(uint32_t)j;
}

/* r = s * g + t * h over keyed lists (as dd_sp_axpby). */
static inline int dd_sp2_axpby(double s, const dd_key *gk, const double *gv, int ng,
                               double t, const dd_key *hk, const double *hv, int nh,
                               dd_key *rk, double *rv) {
    int a = 0, b = 0, k = 0;
    while (a < ng && b < nh) {
        if (gk[a] < hk[b]) {
            rk[k] = gk[a]; rv[k++] = dd_tz(gv[a++], s);
        } else if (hk[b] < gk[a]) {
            rk[k] = hk[b]; rv[k++] = dd_tz(hv[b++], t);
        } else {
            rk[k] = gk[a];
            rv[k++] = dd_tz(gv[a++], s) + dd_tz(hv[b++], t);
        }
    }
    while (a < ng) { rk[k] = gk[a]; rv[k++] = dd_tz(gv[a++], s); }
    while (b < nh) { rk[k] = hk[b]; rv[k++] = dd_tz(hv[b++], t); }
    return k;
}

/* r = c * (a outer b): every pair (i in a, j in b), in increasing key order
 * because both index lists increase; returns na * nb. */
static inline int dd_sp_outer(double c, const int *ai, const double *av, int na,
                              const int *bi, const double *bv, int nb,
                              dd_key *rk, double *rv) {
    int k, l, r = 0;
    for (k = 0; k < na; k++)
        for (l = 0; l < nb; l++) {
            rk[r] = dd_pair(ai[k], bi[l]);
            rv[r++] = dd_tt3_st(c, av[k], bv[l]);
        }
    return r;
}

/* The same three kernels for a coefficient in dd_scaled form (pow's f' and
 * f'' where they leave the doubles, see dd_pow_rescues). */
static inline int dd_sp_scale_sc(dd_scaled s, const int *gi, const double *gv, int n,
                                 int *ri, double *rv) {
    int k;
    for (k = 0; k < n; k++) {
        ri[k] = gi[k];
        rv[k] = dd_sc_tz(gv[k], s);
    }
    return n;
}

static inline int dd_sp2_scale_sc(dd_scaled s, const dd_key *gk, const double *gv, int n,
                                  dd_key *rk, double *rv) {
    int k;
    for (k = 0; k < n; k++) {
        rk[k] = gk[k];
        rv[k] = dd_sc_tz(gv[k], s);
    }
    return n;
}

static inline int dd_sp_outer_sc(dd_scaled c, const int *ai, const double *av, int na,
                                 const int *bi, const double *bv, int nb,
                                 dd_key *rk, double *rv) {
    int k, l, r = 0;
    for (k = 0; k < na; k++)
        for (l = 0; l < nb; l++) {
            rk[r] = dd_pair(ai[k], bi[l]);
            rv[r++] = dd_sc_tt(av[k], bv[l], c);
        }
    return r;
}

#endif /* DD_SPARSE_H */
