#include "sim/distribution.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "sim/portable_math.hpp"

namespace dmlssim::sim {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

std::string shortest(double v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

}  // namespace

double portable_lgamma(double x) {
  require(x > 0, "lgamma: x must be > 0");
  static constexpr double kCoefficients[] = {
      0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
      771.32342877765313,   -176.61502916214059,   12.507343278686905,
      -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  if (x < 0.5) {
    // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x); sin is needed only for tiny shapes.
    constexpr double kPi = 3.14159265358979323846;
    return portable_log(kPi / std::sin(kPi * x)) - portable_lgamma(1 - x);
  }
  const double z = x - 1;
  double sum = kCoefficients[0];
  for (int i = 1; i < 9; ++i)
    sum += kCoefficients[i] / (z + i);
  const double t = z + 7.5;
  constexpr double kHalfLog2Pi = 0.91893853320467274178;
  return kHalfLog2Pi + (z + 0.5) * portable_log(t) - t + portable_log(sum);
}

Distribution Distribution::constant(double value) {
  return {Kind::kConstant, value, 0};
}
Distribution Distribution::uniform(double lo, double hi) {
  require(lo <= hi, "uniform: lo must be <= hi");
  return {Kind::kUniform, lo, hi};
}
Distribution Distribution::exponential(double mean) {
  require(mean > 0, "exponential: mean must be > 0");
  return {Kind::kExponential, mean, 0};
}
Distribution Distribution::normal(double mean, double stddev) {
  require(stddev >= 0, "normal: stddev must be >= 0");
  return {Kind::kNormal, mean, stddev};
}
Distribution Distribution::lognormal(double mu, double sigma) {
  require(sigma >= 0, "lognormal: sigma must be >= 0");
  return {Kind::kLognormal, mu, sigma};
}
Distribution Distribution::weibull(double k, double scale) {
  require(k > 0 && scale > 0, "weibull: k and scale must be > 0");
  return {Kind::kWeibull, k, scale};
}
Distribution Distribution::weibull_with_mean(double k, double mean) {
  require(k > 0 && mean > 0, "weibull: k and mean must be > 0");
  return weibull(k, mean / portable_exp(portable_lgamma(1 + 1 / k)));
}
Distribution Distribution::pareto(double alpha, double x_min) {
  require(alpha > 0 && x_min > 0, "pareto: alpha and x_min must be > 0");
  return {Kind::kPareto, alpha, x_min};
}

double Distribution::sample(RandomStream& rng) const {
  switch (kind_) {
    case Kind::kConstant:
      return a_;
    case Kind::kUniform:
      return rng.uniform(a_, b_);
    case Kind::kExponential:
      return rng.exponential(a_);
    case Kind::kNormal:
      return rng.normal(a_, b_);
    case Kind::kLognormal:
      return rng.lognormal(a_, b_);
    case Kind::kWeibull:
      return rng.weibull(a_, b_);
    case Kind::kPareto:
      return rng.pareto(a_, b_);
  }
  return 0;
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::kConstant:
      return a_;
    case Kind::kUniform:
      return (a_ + b_) / 2;
    case Kind::kExponential:
      return a_;
    case Kind::kNormal:
      return a_;
    case Kind::kLognormal:
      return portable_exp(a_ + b_ * b_ / 2);
    case Kind::kWeibull:
      return b_ * portable_exp(portable_lgamma(1 + 1 / a_));
    case Kind::kPareto:
      return a_ <= 1 ? INFINITY : a_ * b_ / (a_ - 1);
  }
  return 0;
}

std::string Distribution::describe() const {
  switch (kind_) {
    case Kind::kConstant:
      return "constant(value=" + shortest(a_) + ")";
    case Kind::kUniform:
      return "uniform(lo=" + shortest(a_) + ", hi=" + shortest(b_) + ")";
    case Kind::kExponential:
      return "exponential(mean=" + shortest(a_) + ")";
    case Kind::kNormal:
      return "normal(mean=" + shortest(a_) + ", sd=" + shortest(b_) + ")";
    case Kind::kLognormal:
      return "lognormal(mu=" + shortest(a_) + ", sigma=" + shortest(b_) + ")";
    case Kind::kWeibull:
      return "weibull(k=" + shortest(a_) + ", scale=" + shortest(b_) + ")";
    case Kind::kPareto:
      return "pareto(alpha=" + shortest(a_) + ", x_min=" + shortest(b_) + ")";
  }
  return "?";
}

}  // namespace dmlssim::sim
