#include "scenarios/comparison.hpp"

#include <map>
#include <sstream>

#include "sim/metrics.hpp"
#include "sim/statistics.hpp"

namespace dmlssim::scenarios {
namespace {

// A run's value of a metric: its number, or its lower bound when censored.
struct Value {
  bool present = false;
  bool censored = false;
  double v = 0;
};

Value value_of(const RunSummary& run, const std::string& metric) {
  for (const SummaryMetric& m : run.metrics) {
    if (m.name != metric || !m.applies) continue;
    if (m.has_value()) return {true, false, m.number()};
    if (m.lower_bound) return {true, true, *m.lower_bound};
    return {};
  }
  return {};
}

}  // namespace

std::vector<std::string> split_strategies(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (const char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  out.push_back(current);
  for (std::string& s : out) {
    const auto first = s.find_first_not_of(" \t");
    const auto last = s.find_last_not_of(" \t");
    s = first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
  }
  return out;
}

std::vector<std::string> strategy_directories(const std::vector<Scenario>& variants) {
  std::vector<std::string> out;
  std::map<std::string, int> seen;
  for (const Scenario& v : variants) {
    const std::string& name = v.strategy_params.strategy();
    const int k = ++seen[name];
    out.push_back(k == 1 ? name : name + "-" + std::to_string(k));
  }
  return out;
}

std::vector<ComparisonRow> comparison_rows(const std::vector<StrategyRuns>& results) {
  std::vector<ComparisonRow> rows;
  if (results.empty()) return rows;
  // Metrics in the order the first runs name them (then any others).
  std::vector<std::pair<std::string, MetricUnit>> metrics;
  for (const StrategyRuns& s : results) {
    for (const RunSummary& r : s.runs) {
      for (const SummaryMetric& m : r.metrics) {
        if (m.name.empty() || m.unit == MetricUnit::kText) continue;
        bool known = false;
        for (const auto& [name, unit] : metrics)
          known = known || name == m.name;
        if (!known) metrics.emplace_back(m.name, m.unit);
      }
    }
  }
  const std::vector<RunSummary>& base = results.front().runs;
  for (const auto& [metric, unit] : metrics) {
    for (const StrategyRuns& s : results) {
      ComparisonRow row;
      row.strategy = s.strategy;
      row.metric = metric;
      row.unit = to_string(unit);
      std::vector<double> values, diffs;
      for (std::size_t r = 0; r < s.runs.size(); ++r) {
        const Value v = value_of(s.runs[r], metric);
        if (!v.present) continue;
        values.push_back(v.v);
        row.censored += v.censored ? 1 : 0;
        if (r < base.size()) {
          const Value b = value_of(base[r], metric);
          if (b.present && !b.censored && !v.censored) diffs.push_back(v.v - b.v);
        }
      }
      const std::string stream = "compare/" + s.strategy + "/" + metric;
      const sim::BootstrapInterval m =
          sim::bootstrap_mean_interval(values, kComparisonConfidence, 1, stream.c_str());
      row.n = m.n;
      row.mean = m.mean;
      row.lo = m.lo;
      row.hi = m.hi;
      const std::string diff_stream = stream + "/diff";
      const sim::BootstrapInterval d =
          sim::bootstrap_mean_interval(diffs, kComparisonConfidence, 1, diff_stream.c_str());
      row.diff_n = d.n;
      row.diff_mean = d.mean;
      row.diff_lo = d.lo;
      row.diff_hi = d.hi;
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string comparison_csv(const std::string& scenario, const std::vector<ComparisonRow>& rows) {
  sim::Table table({"scenario", "strategy", "metric", "unit", "n", "censored", "mean", "ci_low",
                    "ci_high", "diff_to_first", "diff_ci_low", "diff_ci_high", "diff_n"});
  for (const ComparisonRow& r : rows) {
    const auto num = [&](double v, std::size_t n) -> sim::Cell {
      if (n == 0) return std::string();
      return v;
    };
    table.add_row({scenario, r.strategy, r.metric, r.unit, static_cast<std::int64_t>(r.n),
                   static_cast<std::int64_t>(r.censored), num(r.mean, r.n), num(r.lo, r.n),
                   num(r.hi, r.n), num(r.diff_mean, r.diff_n), num(r.diff_lo, r.diff_n),
                   num(r.diff_hi, r.diff_n), static_cast<std::int64_t>(r.diff_n)});
  }
  std::ostringstream out;
  sim::write_csv(out, table, {});
  return out.str();
}

}  // namespace dmlssim::scenarios
