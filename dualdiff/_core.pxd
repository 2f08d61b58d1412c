# Declarations of the C core (src_c/) and of the compiled number types, so
# that other Cython modules can cimport them.

cdef extern from "dd_rules.h" nogil:
    ctypedef void (*dd_rule_fn)(double a, double *f, int order) noexcept

    ctypedef struct dd_rule_entry:
        const char *name
        dd_rule_fn fn
        int flags

    const dd_rule_entry dd_rules[]
    enum:
        DD_N_RULES
        DD_OK
        DD_EDOM
        DD_ERANGE
        DD_EZERODIV

    bint isnormal(double x)   # math.h, through dd_rules.h

    ctypedef struct dd_scaled:
        double m
        int e

    void dd_pow_rule(double a, double p, double *f, int order)
    int dd_pow_rescues(double a, double p, double v)
    void dd_pow_scaled(double a, double p, double v, int order, dd_scaled *c)
    void dd_log_base_rule(double a, double lnb, double *f, int order)
    void dd_pow2_partials(double x, double y, double v, int order, double *g, double *h)
    void dd_atan2_partials(double y, double x, int order, double *g, double *h)
    void dd_hypot_partials(double x, double y, double v, int order, double *g, double *h)
    void dd_leaky_relu_rule(double a, double alpha, double *f, int order)
    int dd_value_status(double a, double v, int flags)
    int dd_pow_status(double a, double p, double v)
    double dd_logsumexp(const double *x, size_t n)
    void dd_softmax(const double *x, size_t n, double *out)


cdef extern from "dd_types.h" nogil:
    ctypedef struct dd_dual:
        double re
        double du

    ctypedef struct dd_hyper:
        double re
        double e1
        double e2
        double e12

    dd_dual dd_dual_make(double re, double du)
    dd_hyper dd_hyper_make(double re, double e1, double e2, double e12)
    dd_dual dd_dual_chain(dd_dual x, const double *f)
    dd_hyper dd_hyper_chain(dd_hyper x, const double *f)
    dd_dual dd_dual_add(dd_dual x, dd_dual y)
    dd_dual dd_dual_sub(dd_dual x, dd_dual y)
    dd_dual dd_dual_mul(dd_dual x, dd_dual y)
    dd_dual dd_dual_div(dd_dual x, dd_dual y)
    dd_dual dd_dual_pow(dd_dual x, double p)
    dd_dual dd_dual_pow2(dd_dual x, dd_dual y)
    dd_dual dd_dual_atan2(dd_dual y, dd_dual x)
    dd_dual dd_dual_hypot(dd_dual x, dd_dual y)
    dd_hyper dd_hyper_add(dd_hyper x, dd_hyper y)
    dd_hyper dd_hyper_sub(dd_hyper x, dd_hyper y)
    dd_hyper dd_hyper_mul(dd_hyper x, dd_hyper y)
    dd_hyper dd_hyper_div(dd_hyper x, dd_hyper y)
    dd_hyper dd_hyper_pow(dd_hyper x, double p)
    dd_hyper dd_hyper_pow2(dd_hyper x, dd_hyper y)
    dd_hyper dd_hyper_atan2(dd_hyper y, dd_hyper x)
    dd_hyper dd_hyper_hypot(dd_hyper x, dd_hyper y)


cdef class Dual:
    cdef dd_dual v
    cdef long tag           # which derivative call seeded this perturbation (0: none)


cdef class HyperDual:
    cdef dd_hyper v
    cdef long tag           # which second_derivative call seeded it (0: none)


cdef class GradientDual:
    cdef double re
    cdef int n              # how many partials are stored
    cdef int *idx           # their variable indices, increasing
    cdef double *val        # their values
    cdef int sidx[2]        # inline room for up to two partials
    cdef double sval[2]
    cdef long tag           # the gradient call whose variables these partials refer to (0: none)
    cdef void *buf          # the shared buffer (dd_spbuf) idx and val view, NULL when inline


cdef extern from "dd_sparse.h" nogil:
    ctypedef unsigned long long dd_key


cdef class HessianDual:
    cdef double re
    cdef int n              # first partials: how many, their indices, their values
    cdef int *gi
    cdef double *gv
    cdef int m              # second partials, keyed by dd_pair(i, j), both triangles
    cdef dd_key *hk
    cdef double *hv
    cdef long tag           # the hessian call whose variables these partials refer to (0: none)
