// dmlssim compare: every strategy over the same replications, compare.csv with paired
// differences, independent of --jobs; bad strategy lists are refused.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/apps/cli_runner.hpp"
#include "tests/scenarios/result_files.hpp"

namespace fs = std::filesystem;
using dmlssim::testing::run_cli;
using dmlssim::testing::slurp;

namespace {

const char* kScenario = R"(name: cmp
duration: 40m
seed: 4
runs: 3
topology: {servers: 4, regions: {eu: 2, us: 2}, latency: wan-3-regions}
room: {users_per_server: 2, devices_per_user: 2}
workload: {messages: {room: 2/min}, key_updates: 2/h, stop: 35m}
federation: {probe_interval: 30s}
faults:
  - {at: 5m, partition: {west: [eu], east: [us]}, for: 15m}
strategy: mls_first_seen
mls: {crypto: fast}
)";

// CSV rows split at commas outside quotes.
std::vector<std::vector<std::string>> csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (const char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.emplace_back();
      } else {
        cells.back() += c;
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

// summary.csv's column of a metric, by run.
std::vector<double> column(const fs::path& summary, const std::string& metric) {
  const auto rows = csv(slurp(summary));
  const auto& header = rows.at(0);
  const auto at = std::find(header.begin(), header.end(), metric) - header.begin();
  std::vector<double> out;
  for (std::size_t r = 1; r < rows.size(); ++r)
    out.push_back(std::stod(rows[r].at(static_cast<std::size_t>(at))));
  return out;
}

}  // namespace

TEST_CASE("compare: every strategy, the same replications, paired differences", "[cli][compare]") {
  const fs::path dir = dmlssim::testing::fresh_dir("dmlssim-compare", "cli");
  fs::create_directories(dir);
  const fs::path file = dir / "cmp.yaml";
  std::ofstream(file) << kScenario;
  const auto one = run_cli("compare " + file.string() + " --out " + (dir / "one").string() +
                           " --quiet --strategies 'mls_first_seen, dmls(retention=7d)'");
  INFO(one.out);
  REQUIRE(one.code == 0);
  CHECK(one.out.find("expected reads done") != std::string::npos);
  const auto two = run_cli("compare " + file.string() + " --out " + (dir / "two").string() +
                           " --quiet --jobs 2 --strategies 'mls_first_seen, dmls(retention=7d)'");
  REQUIRE(two.code == 0);
  CHECK(slurp(dir / "one" / "compare.csv") == slurp(dir / "two" / "compare.csv"));
  for (const char* s : {"mls_first_seen", "dmls"}) {
    CHECK(fs::exists(dir / "one" / s / "run-0002" / "reads.csv"));
    CHECK(slurp(dir / "one" / s / "run-0001" / "reads.csv") ==
          slurp(dir / "two" / s / "run-0001" / "reads.csv"));
  }
  // Common random numbers: the same faults and the same messages drawn in both (what follows
  // from them, such as the heal's catch-up, depends on the strategy's own traffic).
  const auto without_context = [](const fs::path& p) {
    auto rows = csv(slurp(p));
    for (auto& row : rows)
      row.erase(row.begin(), row.begin() + 3);  // scenario, strategy, run
    return rows;
  };
  CHECK(without_context(dir / "one" / "dmls" / "run-0001" / "faults.csv") ==
        without_context(dir / "one" / "mls_first_seen" / "run-0001" / "faults.csv"));
  CHECK(column(dir / "one" / "dmls" / "summary.csv", "e2ee_messages") ==
        column(dir / "one" / "mls_first_seen" / "summary.csv", "e2ee_messages"));
  // The paired difference, recomputed from the two summary.csv files.
  const auto first = column(dir / "one" / "mls_first_seen" / "summary.csv", "e2ee_read_fraction");
  const auto second = column(dir / "one" / "dmls" / "summary.csv", "e2ee_read_fraction");
  double diff = 0;
  for (std::size_t r = 0; r < first.size(); ++r)
    diff += (second[r] - first[r]) / static_cast<double>(first.size());
  bool found = false;
  for (const auto& row : csv(slurp(dir / "one" / "compare.csv"))) {
    if (row.at(2) != "e2ee_read_fraction" || row.at(1).rfind("dmls", 0) != 0) continue;
    found = true;
    CHECK(row.at(4) == "3");
    CHECK(std::stod(row.at(9)) == Approx(diff));
    CHECK(std::stod(row.at(10)) <= std::stod(row.at(9)));
    CHECK(std::stod(row.at(11)) >= std::stod(row.at(9)));
    CHECK(std::stod(row.at(8)) <= 1.0);  // a fraction's interval stays in [0, 1]
  }
  CHECK(found);
  CHECK(diff > 0);  // dmls reads what the control loses across the split
}

TEST_CASE("compare: an unknown strategy or an empty one is refused", "[cli][compare]") {
  const fs::path dir = dmlssim::testing::fresh_dir("dmlssim-compare", "bad");
  fs::create_directories(dir);
  const fs::path file = dir / "cmp.yaml";
  std::ofstream(file) << kScenario;
  auto o = run_cli("compare " + file.string() + " --out " + (dir / "x").string() +
                   " --strategies mls_first_seen,nope");
  CHECK(o.code == 2);
  INFO(o.out);
  CHECK(o.out.find("unknown strategy 'nope'") != std::string::npos);
  o = run_cli("compare " + file.string() + " --strategies mls_first_seen,,dmls");
  CHECK(o.code == 2);
  CHECK(o.out.find("empty strategy") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "x" / "compare.csv"));
}
