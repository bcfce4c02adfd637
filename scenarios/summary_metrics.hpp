// A run's summary metrics as typed values: a name (its summary.csv column), a unit, a label for
// the printed table, and a value — or no value, with the reason kept apart: a stage not reached
// before the end of the run is censored (its lower bound is the time observed), a metric that
// does not apply to this run (no heal happened) is marked so and left out of the table's n.
// World parts produce them; experiment.cpp writes them and the CLI prints them without parsing
// anything back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace dmlssim::scenarios {

enum class MetricUnit : std::uint8_t {
  kFraction,     // in [0, 1]; printed with 4 decimals
  kSeconds,      // printed with 2 decimals
  kCount,        // whole numbers (a mean with one decimal when not whole)
  kBytes,        // as counts
  kByteSeconds,  // bytes held times seconds held (exposure); as counts
  kOutcome,      // 1 or 0 per run: printed as "k/n" (how many runs had it)
  kText,         // summary.csv only
};
const char* to_string(MetricUnit unit);

struct SummaryMetric {
  // A number (double or integer, as the CSV should print it), a text, or nothing.
  using Value = std::variant<std::monostate, double, std::int64_t, std::string>;

  SummaryMetric() = default;
  SummaryMetric(std::string name_, std::string label_, MetricUnit unit_, Value value_ = {},
                std::optional<double> lower_bound_ = std::nullopt, bool applies_ = true)
      : name(std::move(name_)),
        label(std::move(label_)),
        unit(unit_),
        value(std::move(value_)),
        lower_bound(lower_bound_),
        applies(applies_) {}

  std::string name;   // summary.csv column ("first_heal_dag_converged_s"); "" = not a column
  std::string label;  // printed table row ("first heal: DAG converged (s)"); "" = not printed
  MetricUnit unit = MetricUnit::kCount;
  Value value;
  // No value because the stage was not reached before the end: at least this (seconds).
  std::optional<double> lower_bound;
  // False: the metric does not apply to this run (its cell is empty, the table leaves it out).
  bool applies = true;
  // In runs that lack the metric altogether, the table counts it as 0 (time with k components).
  bool absent_is_zero = false;

  bool has_value() const {
    return std::holds_alternative<double>(value) || std::holds_alternative<std::int64_t>(value);
  }
  double number() const;
};

// The CSV cell of a metric: its number as the shortest text that reads back, its text, or empty.
std::string csv_cell(const SummaryMetric& m);

}  // namespace dmlssim::scenarios
