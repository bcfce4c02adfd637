// The command line as a user meets it: exit codes, messages, and files.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

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
  for (const char* cmd : {"run", "validate", "list", "stateres", "mls-vectors"}) {
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
  for (const auto& p : dmlssim::scenarios::all_params()) {
    INFO(p.key);
    CHECK(o.out.find(p.key) != std::string::npos);
  }
  CHECK(run_cli("list presets").out.find("wan-3-regions") != std::string::npos);
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
                        {"list", "missing what to list: params or presets"},
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
