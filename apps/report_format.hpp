// How the printed tables show a metric's values.
#pragma once

#include <string>

#include "scenarios/summary_metrics.hpp"

namespace dmlssim::apps {

// Fractions with 4 decimals, seconds with 2, counts and bytes as whole numbers (a mean with one
// decimal when it is not whole).
std::string format_value(double v, scenarios::MetricUnit unit);

}  // namespace dmlssim::apps
