#include "apps/report_format.hpp"

#include <cmath>
#include <cstdio>

namespace dmlssim::apps {

std::string format_value(double v, scenarios::MetricUnit unit) {
  char buf[64];
  switch (unit) {
    case scenarios::MetricUnit::kFraction:
      std::snprintf(buf, sizeof buf, "%.4f", v);
      break;
    case scenarios::MetricUnit::kSeconds:
      std::snprintf(buf, sizeof buf, "%.2f", v);
      break;
    default:
      std::snprintf(buf, sizeof buf, v == std::floor(v) ? "%.0f" : "%.1f", v);
      break;
  }
  return buf;
}

}  // namespace dmlssim::apps
