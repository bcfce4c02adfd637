// `dmlssim mls-vectors` as a user meets it: every shared vector file passes, a corrupted entry is
// counted as failed, unreadable or unnamed files are bad input.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/apps/cli_runner.hpp"

namespace {

using dmlssim::testing::run_cli;
using Output = dmlssim::testing::CliOutput;

const std::string kVectors = std::string(DMLSSIM_VECTORS_DIR);

std::string temp_file(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "dmlssim_mls_vectors";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("mls-vectors passes every shared MLS and HPKE vector file", "[cli][mls]") {
  std::string paths;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kVectors + "/mls")) {
    if (entry.path().extension() != ".json") continue;
    paths += " " + entry.path().string();
    ++files;
  }
  paths += " " + kVectors + "/hpke/rfc9180-a1-x25519-sha256-aes128gcm.json";
  REQUIRE(files == 15);
  const Output o = run_cli("mls-vectors" + paths);
  CHECK(o.code == 0);
  CHECK(o.out.find("passive-client-handling-commit.json  passive-client  passed 13  failed 0") !=
        std::string::npos);
  CHECK(o.out.find("treekem.json  treekem  passed 11  failed 0") != std::string::npos);
  CHECK(o.out.find("aes128gcm.json  hpke  passed 4  failed 0") != std::string::npos);
  CHECK(o.out.find("failed 1") == std::string::npos);
}

TEST_CASE("mls-vectors counts failing entries and skips other cipher suites", "[cli][mls]") {
  std::ifstream in(kVectors + "/mls/passive-client-handling-commit.json");
  nlohmann::json doc = nlohmann::json::parse(in);
  // Another suite's entry is skipped; a wrong authenticator fails its entry only.
  nlohmann::json other = doc[0];
  other["cipher_suite"] = 3;
  doc[1]["epochs"][1]["epoch_authenticator"] = std::string(64, '0');
  doc.push_back(other);
  const std::string path = temp_file("passive-client-random.json", doc.dump());
  const Output o = run_cli("mls-vectors " + path);
  CHECK(o.code == 1);
  CHECK(o.out.find("passive-client  passed 12  failed 1  skipped 1") != std::string::npos);
  CHECK(o.out.find("entry 1: epoch_authenticator differs after epoch 1") != std::string::npos);

  // The same file under a name that says nothing needs --kind.
  const std::string unnamed = temp_file("vectors.json", doc.dump());
  CHECK(run_cli("mls-vectors " + unnamed).code == 2);
  CHECK(run_cli("mls-vectors " + unnamed + " --kind passive-client").code == 1);
  CHECK(run_cli("mls-vectors " + unnamed + " --kind frobnicate").code == 2);
}

TEST_CASE("mls-vectors reports unreadable and malformed files", "[cli][mls]") {
  CHECK(run_cli("mls-vectors /no/such/tree-math.json").code == 2);
  const std::string broken = temp_file("tree-math.json", "[\n  {\"n_leaves\": 1,\n  oops\n]");
  const Output o = run_cli("mls-vectors " + broken);
  CHECK(o.code == 2);
  CHECK(o.out.find(broken + ":3:3: not valid JSON") != std::string::npos);
  // Valid JSON of the wrong shape: bad input (exit 2) naming the first bad entry, no crash.
  const std::string wrong = temp_file("treekem.json", "[{\"cipher_suite\": 1}, 7]");
  const Output w = run_cli("mls-vectors " + wrong);
  CHECK(w.code == 2);
  CHECK(w.out.find("2 of 2 entries are not treekem vectors (entry 0: key '") != std::string::npos);
  CHECK(run_cli("mls-vectors").code == 2);
}
