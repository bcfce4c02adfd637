// Every shared interop vector file through the vector runners (the same code as
// `dmlssim mls-vectors`): every entry passes. And the runners do catch a wrong expected value:
// one field changed per kind makes that entry fail.
#include <catch2/catch.hpp>

#include "models/mls/vectors/vector_runner.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace vectors = dmlssim::models::mls::vectors;
using vectors::VectorKind;

namespace {

struct VectorFile {
  const char* path;
  VectorKind kind;
  std::size_t entries;
};

constexpr VectorFile kFiles[] = {
    {"mls/tree-math.json", VectorKind::kTreeMath, 10},
    {"mls/crypto-basics.json", VectorKind::kCryptoBasics, 1},
    {"mls/secret-tree.json", VectorKind::kSecretTree, 3},
    {"mls/key-schedule.json", VectorKind::kKeySchedule, 1},
    {"mls/psk_secret.json", VectorKind::kPskSecret, 11},
    {"mls/message-protection.json", VectorKind::kMessageProtection, 1},
    {"mls/transcript-hashes.json", VectorKind::kTranscriptHashes, 1},
    {"mls/welcome.json", VectorKind::kWelcome, 1},
    {"mls/tree-operations.json", VectorKind::kTreeOperations, 5},
    {"mls/tree-validation.json", VectorKind::kTreeValidation, 14},
    {"mls/treekem.json", VectorKind::kTreeKem, 11},
    {"mls/messages.json", VectorKind::kMessages, 10},
    {"mls/deserialization.json", VectorKind::kDeserialization, 14},
    {"mls/passive-client-welcome.json", VectorKind::kPassiveClient, 8},
    {"mls/passive-client-handling-commit.json", VectorKind::kPassiveClient, 13},
    {"hpke/rfc9180-a1-x25519-sha256-aes128gcm.json", VectorKind::kHpke, 4},
};

// Flips the last hex digit of a string field.
void corrupt(nlohmann::json& field) {
  std::string s = field.get<std::string>();
  s.back() = s.back() == '0' ? '1' : '0';
  field = s;
}

}  // namespace

TEST_CASE("every interop vector entry passes", "[mls][vectors]") {
  for (const VectorFile& f : kFiles) {
    INFO(f.path);
    const nlohmann::json file = dmlssim::testing::vector_file(f.path);
    CHECK(vectors::vector_kind_of(f.path) == f.kind);
    const vectors::VectorResult r = vectors::run_vectors(f.kind, file);
    for (const std::string& failure : r.failures)
      UNSCOPED_INFO(failure);
    CHECK(r.failed == 0);
    CHECK(r.skipped == 0);
    CHECK(r.passed == f.entries);
  }
}

TEST_CASE("a wrong expected value fails its entry", "[mls][vectors]") {
  struct Mutation {
    const char* path;
    VectorKind kind;
    void (*change)(nlohmann::json& entry);
  };
  const Mutation mutations[] = {
      {"mls/tree-math.json", VectorKind::kTreeMath, [](nlohmann::json& e) { e["root"] = 5; }},
      {"mls/crypto-basics.json", VectorKind::kCryptoBasics,
       [](nlohmann::json& e) { corrupt(e["sign_with_label"]["signature"]); }},
      {"mls/secret-tree.json", VectorKind::kSecretTree,
       [](nlohmann::json& e) { corrupt(e["leaves"][0][0]["application_nonce"]); }},
      {"mls/key-schedule.json", VectorKind::kKeySchedule,
       [](nlohmann::json& e) { corrupt(e["epochs"][3]["resumption_psk"]); }},
      {"mls/psk_secret.json", VectorKind::kPskSecret,
       [](nlohmann::json& e) { corrupt(e["psk_secret"]); }},
      {"mls/message-protection.json", VectorKind::kMessageProtection,
       [](nlohmann::json& e) { corrupt(e["membership_key"]); }},
      {"mls/transcript-hashes.json", VectorKind::kTranscriptHashes,
       [](nlohmann::json& e) { corrupt(e["interim_transcript_hash_after"]); }},
      {"mls/welcome.json", VectorKind::kWelcome,
       [](nlohmann::json& e) { corrupt(e["signer_pub"]); }},
      {"mls/tree-operations.json", VectorKind::kTreeOperations,
       [](nlohmann::json& e) { corrupt(e["tree_hash_after"]); }},
      {"mls/tree-validation.json", VectorKind::kTreeValidation,
       [](nlohmann::json& e) { corrupt(e["tree_hashes"][0]); }},
      {"mls/treekem.json", VectorKind::kTreeKem,
       [](nlohmann::json& e) { corrupt(e["update_paths"][0]["commit_secret"]); }},
      {"mls/deserialization.json", VectorKind::kDeserialization,
       [](nlohmann::json& e) { e["length"] = e["length"].get<int>() + 1; }},
      {"mls/passive-client-welcome.json", VectorKind::kPassiveClient,
       [](nlohmann::json& e) { corrupt(e["initial_epoch_authenticator"]); }},
      {"hpke/rfc9180-a1-x25519-sha256-aes128gcm.json", VectorKind::kHpke,
       [](nlohmann::json& e) { corrupt(e["exports"][0]["exported_value"]); }},
  };
  for (const Mutation& m : mutations) {
    INFO(m.path);
    nlohmann::json file = dmlssim::testing::vector_file(m.path);
    m.change(file[0]);
    const vectors::VectorResult r = vectors::run_vectors(m.kind, file);
    CHECK(r.failed == 1);
    CHECK(r.passed + 1 == file.size());
    REQUIRE(!r.failures.empty());
    CHECK(r.failures.front().rfind("entry 0: ", 0) == 0);
  }
}
