// The command line as a user meets it: exit codes, messages, and files.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "scenarios/catalog.hpp"
#include "scenarios/params.hpp"
#include "tests/apps/cli_runner.hpp"

namespace fs = std::filesystem;

namespace {

using dmlssim::testing::run_cli;
using Output = dmlssim::testing::CliOutput;

std::string source(const std::string& rel) {
  return std::string(DMLSSIM_SOURCE_DIR) + "/" + rel;
}

}  // namespace

TEST_CASE("help and version", "[cli]") {
  Output o = run_cli("--help");
  CHECK(o.code == 0);
  CHECK(o.out.find("usage: dmlssim <command>") != std::string::npos);
  for (const char* cmd : {"run", "compare", "validate", "list", "stateres", "mls-vectors"}) {
    INFO(cmd);
    Output h = run_cli(std::string(cmd) + " --help");
    CHECK(h.code == 0);
    CHECK(h.out.find("usage: dmlssim " + std::string(cmd)) != std::string::npos);
    CHECK(run_cli(std::string(cmd) + " --version").out.rfind("dmlssim 0.", 0) == 0);
  }
  o = run_cli("--version");
  CHECK(o.code == 0);
  CHECK(o.out.rfind("dmlssim 0.", 0) == 0);
  CHECK(run_cli("").code == 2);
  o = run_cli("frobnicate");
  CHECK(o.code == 2);
  CHECK(o.out.find("unknown command 'frobnicate'") != std::string::npos);
  CHECK(run_cli("run --no-such-option x.yaml").code == 2);
  CHECK(run_cli("run").code == 2);
}

TEST_CASE("validate prints the resolved scenario or a located error", "[cli]") {
  Output o = run_cli("validate " + source("scenarios/reachability.yaml"));
  CHECK(o.code == 0);
  CHECK(o.out.find("connect_timeout: 10s") != std::string::npos);
  o = run_cli("validate " + source("tests/scenarios/malformed/bad_bandwidth_unit.yaml"));
  CHECK(o.code == 2);
  CHECK(o.out.find("bad_bandwidth_unit.yaml:5:14: topology.bandwidth: invalid bandwidth") !=
        std::string::npos);
  o = run_cli("validate " + source("scenarios/reachability.yaml") + " --set topology.servers=oops");
  CHECK(o.code == 2);
  CHECK(o.out.find("--set topology.servers=oops: topology.servers") != std::string::npos);
}

TEST_CASE("list params shows every tunable", "[cli]") {
  Output o = run_cli("list params");
  CHECK(o.code == 0);
  const dmlssim::scenarios::ParamTable table = dmlssim::scenarios::builtin_catalog().params();
  for (const auto& p : table.all()) {
    INFO(p.key);
    CHECK(o.out.find(p.key) != std::string::npos);
  }
  // Every row's type column starts where the header's does, however long the keys are.
  const std::size_t type_column = o.out.find("type");
  std::size_t rows = 0;
  for (std::size_t at = 0; at < o.out.size();) {
    const std::size_t end = std::min(o.out.find('\n', at), o.out.size());
    const std::string line = o.out.substr(at, end - at);
    if (!line.empty()) {
      ++rows;
      INFO(line);
      REQUIRE(line.size() > type_column);
      CHECK(line[type_column - 1] == ' ');
      CHECK(line[type_column] != ' ');
    }
    at = end + 1;
  }
  CHECK(rows > 40);
  CHECK(run_cli("list presets").out.find("wan-3-regions") != std::string::npos);
  const Output strategies = run_cli("list strategies");
  CHECK(strategies.code == 0);
  CHECK(strategies.out.find("none\n  No MLS") != std::string::npos);
  for (const char* rule : {"confirmation_tag", "transcript_hash", "powers", "hub", "larger_side",
                           "longer_chain", "recent_remove"}) {
    CHECK(strategies.out.find(std::string("  ") + rule + " ") != std::string::npos);
  }
  CHECK(run_cli("list nothing").code == 2);
}

TEST_CASE("run writes result directories and prints the table", "[cli]") {
  const fs::path out = fs::temp_directory_path() / ("dmlssim-cli-" + std::to_string(::getpid()));
  fs::remove_all(out);
  Output o = run_cli("run " + source("scenarios/reachability.yaml") +
                     " --runs 2 --set duration=4d --jobs 2 --quiet --out " + out.string());
  CHECK(o.code == 0);
  CHECK(o.out.find("server availability") != std::string::npos);
  CHECK(o.out.find("time with 1 component(s)") != std::string::npos);
  CHECK(fs::exists(out / "run-0001" / "manifest.json"));
  CHECK(fs::exists(out / "summary.csv"));
  CHECK_FALSE(fs::exists(out / "run-0002"));
  o = run_cli("run " + source("scenarios/reachability.yaml") + " --jobs 0 --out " + out.string());
  CHECK(o.code == 2);
  fs::remove_all(out);
}

TEST_CASE("numeric options are checked as typed and named in errors", "[cli]") {
  const std::string scenario = source("scenarios/reachability.yaml");
  struct Case {
    const char* args;
    const char* message;
  };
  const Case cases[] = {
      {" --seed -1", "--seed: '-1' is not a whole number from 0 to 9223372036854775807"},
      {" --seed 9223372036854775808", "--seed: '9223372036854775808' is not a whole number"},
      {" --seed 1.5", "--seed: '1.5' is not a whole number"},
      {" --runs 0", "--runs: '0' is not a whole number from 1 to 100000"},
      {" --jobs 0", "--jobs: '0' is not a whole number from 1 to 1024"},
      {" --jobs -3", "--jobs: '-3' is not a whole number from 1 to 1024"},
  };
  for (const Case& c : cases) {
    INFO(c.args);
    const Output o = run_cli("run " + scenario + c.args + " --quiet --out /nonexistent/never");
    CHECK(o.code == 2);
    CHECK(o.out.find(c.message) != std::string::npos);
    CHECK(o.out.find("--set") == std::string::npos);  // never blames an option not typed
  }
}

TEST_CASE("a missing argument is named as the usage names it", "[cli]") {
  struct Case {
    const char* command;
    const char* missing;
  };
  const Case cases[] = {{"run", "missing SCENARIO"},
                        {"validate", "missing SCENARIO"},
                        {"list", "missing what to list: params, strategies or presets"},
                        {"stateres", "missing FILE"},
                        {"mls-vectors", "missing PATH"}};
  for (const Case& c : cases) {
    INFO(c.command);
    const Output o = run_cli(c.command);
    CHECK(o.code == 2);
    CHECK(o.out.find(c.missing) != std::string::npos);
    CHECK(o.out.find("'--") == std::string::npos);  // no parser-internal option names
  }
}

TEST_CASE("files of the wrong kind get errors, not library exceptions", "[cli]") {
  const fs::path dir = fs::temp_directory_path() / ("dmlssim-kind-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // JSON lines (a run's room-0.ndjson) given to stateres.
  const fs::path lines = dir / "room-0.ndjson";
  { std::ofstream(lines) << "{\"type\": \"m.room.create\"}\n{\"type\": \"m.room.member\"}\n"; }
  Output o = run_cli("stateres " + lines.string());
  CHECK(o.code == 2);
  CHECK(o.out.find(lines.string() + ":2:1: a second JSON value starts here") != std::string::npos);
  CHECK(o.out.find("json.exception") == std::string::npos);
  // A vector file read as another kind.
  const std::string tree_math = std::string(DMLSSIM_VECTORS_DIR) + "/mls/tree-math.json";
  o = run_cli("mls-vectors " + tree_math + " --kind welcome");
  CHECK(o.code == 2);
  CHECK(o.out.find("entries are not welcome vectors (entry 0: key 'key_package' not found)") !=
        std::string::npos);
  CHECK(o.out.find("is --kind right?") != std::string::npos);
  CHECK(o.out.find("json.exception") == std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("the report counts unconverged heals as censored and says when runs agree", "[cli]") {
  const fs::path dir = fs::temp_directory_path() / ("dmlssim-cens-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // The split heals 30 s before the end: with a 10-minute back-off nothing converges in time.
  const fs::path scenario = dir / "late.yaml";
  {
    std::ofstream(scenario)
        << "name: late-heal\nduration: 2h\nruns: 3\n"
           "topology: {servers: 4, regions: {eu: 2, us: 2}}\n"
           "room: {users_per_server: 2}\nworkload: {messages: {room: 60/h}}\n"
           "faults:\n  - {at: 1h, partition: {a: [eu], b: [us]}, for: 59m30s}\n";
  }
  const Output o =
      run_cli("run " + scenario.string() + " --quiet --out " + (dir / "out").string(), false);
  CHECK(o.code == 0);
  INFO(o.out);
  auto line_of = [&](const std::string& label) {
    const std::size_t at = o.out.find("  " + label + " ");
    if (at == std::string::npos) return std::string();
    return o.out.substr(at, o.out.find('\n', at) - at);
  };
  CHECK(line_of("first heal: DAG converged before the end").find(" 3 ") != std::string::npos);
  CHECK(line_of("first heal: DAG converged before the end").find(" 0/3") != std::string::npos);
  // Censored: a lower bound (the 30 s observed), never a mean of the runs that happened to end.
  CHECK(line_of("first heal: DAG converged (s)").find(">= 30.00  3 run(s) not reached") !=
        std::string::npos);
  CHECK(line_of("first heal: catch-up bytes").find("not reached before the end in any run") !=
        std::string::npos);
  CHECK(line_of("server availability").find("1.0000  constant") != std::string::npos);
  CHECK(line_of("soft-failed events").find(" 0  constant") != std::string::npos);
  // Counts print as whole numbers, not with six decimals.
  CHECK(o.out.find(".000000") == std::string::npos);
  std::ifstream csv(dir / "out" / "summary.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  CHECK(header.substr(header.rfind(',') + 1) == "first_heal_status");
  CHECK(row.substr(row.rfind(',') + 1) == "not converged before the end");
  fs::remove_all(dir);
}

namespace {

std::string slurp_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("results are safe: another experiment is refused, one replicate re-runs exactly",
          "[cli]") {
  const fs::path out = fs::temp_directory_path() / ("dmlssim-safe-" + std::to_string(::getpid()));
  fs::remove_all(out);
  const std::string reach = source("scenarios/reachability.yaml");
  REQUIRE(run_cli("run " + reach + " --runs 3 --quiet --out " + out.string()).code == 0);
  CHECK(slurp_file(out / "experiment.json").find("\"status\": \"complete\"") != std::string::npos);
  const std::string run1 = slurp_file(out / "run-0001" / "timeseries.csv");
  // Another scenario, or the same one with fewer runs, would delete these: refused.
  Output o = run_cli("run " + source("scenarios/matrix-netsplit.yaml") +
                     " --runs 1 --quiet --out " + out.string());
  CHECK(o.code == 2);
  CHECK(o.out.find("holds the results of another experiment (scenario 'reachability'") !=
        std::string::npos);
  o = run_cli("run " + reach + " --runs 2 --quiet --out " + out.string());
  CHECK(o.code == 2);
  CHECK(fs::exists(out / "run-0002"));
  // One replicate again: the same bytes as inside the whole experiment.
  fs::remove_all(out / "run-0001");
  o = run_cli("run " + reach + " --runs 3 --run-index 1 --quiet --out " + out.string());
  CHECK(o.code == 0);
  CHECK(slurp_file(out / "run-0001" / "timeseries.csv") == run1);
  CHECK(run_cli("run " + reach + " --runs 3 --run-index 3 --quiet --out " + out.string()).code ==
        2);
  // --force replaces the other experiment whole.
  o = run_cli("run " + reach + " --runs 1 --force --quiet --out " + out.string());
  CHECK(o.code == 0);
  CHECK_FALSE(fs::exists(out / "run-0001"));
  // --out naming a file.
  const fs::path file = out / "summary.csv";
  o = run_cli("run " + reach + " --quiet --out " + file.string());
  CHECK(o.code == 2);
  CHECK(o.out.find("is a file, not a directory") != std::string::npos);
  fs::remove_all(out);
}

TEST_CASE("an interrupted experiment is marked so and has no summary", "[cli]") {
  const fs::path out = fs::temp_directory_path() / ("dmlssim-int-" + std::to_string(::getpid()));
  fs::remove_all(out);
  // Long enough to be running when the signal comes (300 servers, 4 runs one after another).
  const fs::path scenario =
      fs::temp_directory_path() / ("dmlssim-int-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream(scenario) << "name: long\nduration: 4h\nruns: 4\n"
                               "topology: {servers: 300, regions: {eu: 150, us: 150}}\n"
                               "room: {users_per_server: 3}\n"
                               "workload: {messages: {room: 1/s}, membership: {room: 20/h}}\n"
                               "faults:\n  - {at: 1h, partition: {a: [eu], b: [us]}, for: 30m}\n";
  }
  const std::string cmd = "run " + scenario.string() + " --quiet --out " + out.string();
  const Output o = run_cli("& pid=$!; sleep 2; kill -INT $pid; wait $pid; exit $?", true, cmd);
  CHECK(o.code == 130);
  CHECK(o.out.find("interrupted; kept the complete run directories") != std::string::npos);
  const std::string experiment = slurp_file(out / "experiment.json");
  CHECK(experiment.find("\"status\": \"interrupted\"") != std::string::npos);
  CHECK(experiment.find("\"runs_kept\"") != std::string::npos);
  CHECK_FALSE(fs::exists(out / "summary.csv"));
  fs::remove_all(out);
  fs::remove(scenario);
}
