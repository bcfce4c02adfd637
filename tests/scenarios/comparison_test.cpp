// The comparison table: strategy lists split outside parentheses, directory names, and rows with
// means, paired differences to the first strategy and censored runs counted.
#include <catch2/catch.hpp>

#include "scenarios/comparison.hpp"

using namespace dmlssim::scenarios;

namespace {

RunSummary run(std::uint64_t index, std::vector<SummaryMetric> metrics) {
  RunSummary r;
  r.run = index;
  r.metrics = std::move(metrics);
  return r;
}

}  // namespace

TEST_CASE("strategy lists split at commas outside parentheses", "[scenarios][compare]") {
  CHECK(split_strategies("a,b") == std::vector<std::string>{"a", "b"});
  CHECK(split_strategies(" mls_first_seen , dmls(retention=1h, merge=fork),x") ==
        std::vector<std::string>{"mls_first_seen", "dmls(retention=1h, merge=fork)", "x"});
  CHECK(split_strategies("a,,b") == std::vector<std::string>{"a", "", "b"});
}

TEST_CASE("comparison rows: means, paired differences to the first, censored runs",
          "[scenarios][compare]") {
  const auto fraction = [](double v) {
    return SummaryMetric{"read_fraction", "reads", MetricUnit::kFraction, v};
  };
  const auto censored = [](double bound) {
    return SummaryMetric{"heal_s", "heal", MetricUnit::kSeconds, {}, bound};
  };
  const auto seconds = [](double v) {
    return SummaryMetric{"heal_s", "heal", MetricUnit::kSeconds, v};
  };
  std::vector<StrategyRuns> results = {
      {"a", "a", {run(0, {fraction(0.5), seconds(10)}), run(1, {fraction(0.7), seconds(20)})}},
      {"b", "b", {run(0, {fraction(0.9), seconds(12)}), run(1, {fraction(0.8), censored(30)})}},
  };
  const std::vector<ComparisonRow> rows = comparison_rows(results);
  REQUIRE(rows.size() == 4);  // 2 metrics x 2 strategies, metric-major
  CHECK(rows[0].strategy == "a");
  CHECK(rows[0].metric == "read_fraction");
  CHECK(rows[0].unit == "fraction");
  CHECK(rows[0].mean == Approx(0.6));
  CHECK(rows[0].diff_mean == 0);
  CHECK(rows[1].mean == Approx(0.85));
  CHECK(rows[1].diff_n == 2);
  CHECK(rows[1].diff_mean == Approx(0.25));  // (0.4 + 0.1) / 2, run by run
  CHECK(rows[1].diff_lo >= 0.1 - 1e-12);     // the bootstrap stays within the differences
  CHECK(rows[1].diff_hi <= 0.4 + 1e-12);
  CHECK(rows[1].lo >= 0.8 - 1e-12);
  CHECK(rows[1].hi <= 0.9 + 1e-12);
  // A censored run counts at its lower bound in the mean, and not in the paired difference.
  CHECK(rows[3].metric == "heal_s");
  CHECK(rows[3].censored == 1);
  CHECK(rows[3].n == 2);
  CHECK(rows[3].mean == Approx(21));
  CHECK(rows[3].diff_n == 1);
  CHECK(rows[3].diff_mean == Approx(2));
  const std::string text = comparison_csv("s", rows);
  CHECK(text.rfind("scenario,strategy,metric,unit,n,censored,mean,ci_low,ci_high,diff_to_first,"
                   "diff_ci_low,diff_ci_high,diff_n\n",
                   0) == 0);
  INFO(text);
  CHECK(text.find("s,b,heal_s,s,2,1,21,") != std::string::npos);
}
