// Natural logarithm and exponential computed with IEEE-754 basic operations only (+ - * /,
// frexp, ldexp), so every platform and C library returns the same bits. Random draws go through
// these, never through <cmath>'s transcendental functions, whose last bit varies between libms.
// Accuracy: within 2 ulp of the true value over the whole double range (tests check against libm).
#pragma once

namespace dmlssim::sim {

// x > 0; returns -inf for 0, NaN for negative or NaN input, +inf for +inf.
double portable_log(double x);
// Overflows to +inf above ~709.78 and underflows to 0 below ~-745.13.
double portable_exp(double x);
// x > 0: exp(y * log(x)). Less accurate than a correctly rounded pow for large |y log x|.
double portable_pow(double x, double y);

}  // namespace dmlssim::sim
