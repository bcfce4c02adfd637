// Golden digests of the shipped scenarios' run directories (one short run each). A change to any
// result shows here first: when it is meant, the commit says which result changed and why, and
// replaces the digests with the ones this test prints.
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "scenarios/experiment.hpp"
#include "scenarios/scenario_loader.hpp"
#include "tests/scenarios/result_files.hpp"

using namespace dmlssim::scenarios;
namespace fs = std::filesystem;

namespace {

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) == 1);
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// Digest of every file of the experiment directory, by relative path; manifest.json (wall clock,
// revision) and experiment.json (the source file's path) are left out.
std::map<std::string, std::string> digests(const std::string& scenario_file,
                                           const std::vector<std::string>& overrides) {
  LoadOptions o;
  o.overrides = overrides;
  const Scenario s =
      load_scenario_file(std::string(DMLSSIM_SOURCE_DIR) + "/scenarios/" + scenario_file, o);
  const fs::path dir = dmlssim::testing::fresh_dir("dmlssim-golden", scenario_file);
  run_experiment(s, {dir, 2});
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name == "manifest.json" || name == "experiment.json") continue;
    out[fs::relative(entry.path(), dir).string()] =
        sha256_hex(dmlssim::testing::slurp(entry.path()));
  }
  fs::remove_all(dir);
  return out;
}

// Compares, and writes the digests as found to BUILD/golden_<name>.inc, the file to commit when a
// change of results is meant.
void check_digests(const std::string& name, const std::map<std::string, std::string>& got,
                   const std::map<std::string, std::string>& expected) {
  const fs::path found = fs::path(DMLSSIM_BINARY_DIR) / ("golden_" + name + ".inc");
  {
    std::ofstream out(found);
    for (const auto& [file, digest] : got)
      out << "{\"" << file << "\", \"" << digest << "\"},\n";
  }
  INFO("the digests found are in " << found.string());
  for (const auto& [file, digest] : expected) {
    INFO(file);
    CHECK(got.count(file) == 1);
    if (got.count(file) == 1) CHECK(got.at(file) == digest);
  }
  for (const auto& [file, digest] : got) {
    INFO("new file " << file);
    CHECK(expected.count(file) == 1);
  }
}

}  // namespace

TEST_CASE("golden: matrix-netsplit (2 h, 2 runs) gives the committed bytes", "[golden]") {
  check_digests("matrix_netsplit", digests("matrix-netsplit.yaml", {"runs=2", "duration=2h"}),
                {
#include "tests/scenarios/golden_matrix_netsplit.inc"
                });
}

TEST_CASE("golden: reachability (7 d, 2 runs) gives the committed bytes", "[golden]") {
  check_digests("reachability", digests("reachability.yaml", {"runs=2"}),
                {
#include "tests/scenarios/golden_reachability.inc"
                });
}
