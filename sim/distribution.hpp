// A probability distribution over doubles, as a value: what a scenario names with
// "exponential(mean=2h)" or "weibull(k=0.7)" once its units are resolved. Parsing lives in
// scenarios/; sampling draws from a caller-supplied stream.
#pragma once

#include <string>

#include "sim/random.hpp"

namespace dmlssim::sim {

class Distribution {
 public:
  enum class Kind { kConstant, kUniform, kExponential, kNormal, kLognormal, kWeibull, kPareto };

  static Distribution constant(double value);
  static Distribution uniform(double lo, double hi);
  static Distribution exponential(double mean);
  static Distribution normal(double mean, double stddev);
  static Distribution lognormal(double mu, double sigma);
  static Distribution weibull(double k, double scale);
  // The Weibull scale that gives this mean: scale = mean / Gamma(1 + 1/k).
  static Distribution weibull_with_mean(double k, double mean);
  static Distribution pareto(double alpha, double x_min);

  double sample(RandomStream& rng) const;
  double mean() const;
  Kind kind() const { return kind_; }
  double a() const { return a_; }
  double b() const { return b_; }
  // "weibull(k=0.7, scale=5.2)": the canonical form written into resolved scenarios.
  std::string describe() const;

 private:
  Distribution(Kind kind, double a, double b) : kind_(kind), a_(a), b_(b) {}
  Kind kind_;
  double a_;
  double b_;
};

// ln Gamma(x) for x > 0 by the Lanczos approximation (g = 7, 9 terms), with portable_math; about
// 15 significant digits.
double portable_lgamma(double x);

}  // namespace dmlssim::sim
