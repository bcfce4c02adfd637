// `dmlssim stateres` as a user meets it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/apps/cli_runner.hpp"

namespace {

using dmlssim::testing::run_cli;
using Output = dmlssim::testing::CliOutput;

const std::string kCases = std::string(DMLSSIM_VECTORS_DIR) + "/stateres/cases.json";

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("stateres passes the shared cases", "[cli][stateres]") {
  const Output o = run_cli("stateres " + kCases);
  CHECK(o.code == 0);
  CHECK(o.out.find("17 of 17 cases pass") != std::string::npos);
  CHECK(o.out.find("pass  synapse/test_v2/mainline_sort  (dag)") != std::string::npos);
  CHECK(run_cli("stateres " + kCases + " --rejected skip --power-closure conflicted-paths").code ==
        0);
}

TEST_CASE("stateres --format json prints the resolved state", "[cli][stateres]") {
  const Output o =
      run_cli("stateres " + kCases + " --case synapse/test_v2/topic_reset --format json", false);
  REQUIRE(o.code == 0);
  const nlohmann::json state = nlohmann::json::parse(o.out);
  REQUIRE(state.is_array());
  CHECK(state.size() == 8);
  CHECK(std::find(state.begin(), state.end(),
                  nlohmann::json::array({"m.room.topic", "", "$T1:example.com"})) != state.end());
  CHECK(std::find(state.begin(), state.end(),
                  nlohmann::json::array(
                      {"m.room.member", "@bob:example.com", "$MB:example.com"})) != state.end());
  const nlohmann::json all =
      nlohmann::json::parse(run_cli("stateres " + kCases + " --format json", false).out);
  CHECK(all.size() == 17);
  CHECK(all["synapse/lexicographical_topological_sort_simple"] ==
        nlohmann::json::array({"o", "l", "n", "m", "p"}));
}

TEST_CASE("stateres reports failures and bad files", "[cli][stateres]") {
  std::ifstream in(kCases);
  nlohmann::json doc = nlohmann::json::parse(in);
  doc["cases"][10]["expected_order"] = {"o", "p", "l", "n", "m"};
  Output o = run_cli("stateres " + temp_file("dmlssim_cases_wrong.json", doc.dump()));
  CHECK(o.code == 1);
  CHECK(o.out.find("FAIL  synapse/lexicographical_topological_sort_simple") != std::string::npos);
  CHECK(o.out.find("16 of 17 cases pass") != std::string::npos);

  const std::string broken =
      temp_file("dmlssim_cases_broken.json", "{\n  \"format\": \"x\",\n  oops\n}");
  o = run_cli("stateres " + broken);
  CHECK(o.code == 2);
  CHECK(o.out.find(broken + ":3:3: not valid JSON") != std::string::npos);

  doc["cases"][0].erase("events");
  o = run_cli("stateres " + temp_file("dmlssim_cases_missing.json", doc.dump()));
  CHECK(o.code == 2);
  CHECK(o.out.find("case 'synapse/test_v2/ban_vs_pl': field 'events': missing") !=
        std::string::npos);
  CHECK(run_cli("stateres /no/such/file.json").code == 2);
  CHECK(run_cli("stateres " + kCases + " --case no/such").code == 2);
  CHECK(run_cli("stateres " + kCases + " --format yaml").code == 2);
  CHECK(run_cli("stateres " + kCases + " --rejected maybe").code == 2);
}
