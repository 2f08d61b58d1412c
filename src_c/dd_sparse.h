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

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "dd_rules.h"

/* ------------------------------------------------------------------ */
/* Shared partials buffers.  A GradientDual with more than two partials */
/* views a range [start, start + n) of a refcounted buffer; the view    */
/* never changes.  x + y may write y's entries right after (or before)  */
/* x's range and return a longer view of the same buffer, when x's view */
/* ends (starts) where the buffer's used range [lo, hi) does and all of */
/* y's indices come after (before) x's: the sorted order is kept and    */
/* nobody's entries are overwritten.  A sum of n terms written as a     */
/* loop, sum() or np.sum is then O(n) in all, with capacity doubling.   */
/* ------------------------------------------------------------------ */

typedef struct dd_spbuf {
    size_t refs;     /* the GradientDuals viewing it */
    size_t cap;      /* room, in entries */
    size_t lo, hi;   /* the range written so far (valid while refs > 1) */
    double *val;     /* cap values, then cap indices, after this header */
    int *idx;
} dd_spbuf;

/* The bytes of a buffer with room for cap entries; 0 when cap is more than
 * a GradientDual can count (its n is an int) or the size overflows. */
static inline size_t dd_spbuf_bytes(size_t cap) {
    const size_t per = sizeof(double) + sizeof(int);
    if (cap > (size_t)INT_MAX || cap > (SIZE_MAX - sizeof(dd_spbuf)) / per
            || sizeof(dd_spbuf) + cap * per > (size_t)PTRDIFF_MAX)
        return 0;
    return sizeof(dd_spbuf) + cap * per;
}

/* Lay out a block of dd_spbuf_bytes(cap) bytes (no views yet). */
static inline dd_spbuf *dd_spbuf_init(void *block, size_t cap) {
    dd_spbuf *b = (dd_spbuf *)block;
    b->refs = 0;
    b->cap = cap;
    b->lo = 0;
    b->hi = cap;
    b->val = (double *)(b + 1);
    b->idx = (int *)(b->val + cap);
    return b;
}

/* The capacity to grow a buffer of cap entries to, for `need` entries:
 * doubled (amortised O(1) per entry), at least need, at most INT_MAX;
 * 0 when need itself is too many. */
static inline size_t dd_spbuf_grown(size_t cap, size_t need) {
    size_t c;
    if (need > (size_t)INT_MAX)
        return 0;
    c = cap > (size_t)INT_MAX / 2 ? (size_t)INT_MAX : 2 * cap;
    return c < need ? need : c;
}

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
