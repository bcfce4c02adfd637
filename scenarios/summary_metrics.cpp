#include "scenarios/summary_metrics.hpp"

#include "sim/metrics.hpp"

namespace dmlssim::scenarios {

const char* to_string(MetricUnit unit) {
  static const char* const kNames[] = {"fraction", "s", "count", "bytes", "byte_s", "runs", "text"};
  return kNames[static_cast<int>(unit)];
}

double SummaryMetric::number() const {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  return std::get<double>(value);
}

std::string csv_cell(const SummaryMetric& m) {
  if (const auto* d = std::get_if<double>(&m.value)) return sim::format_cell(*d);
  if (const auto* i = std::get_if<std::int64_t>(&m.value)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&m.value)) return *s;
  return "";
}

}  // namespace dmlssim::scenarios
