// Runs the interoperability test vectors of mlswg/mls-implementations (and RFC 9180's HPKE
// vectors): the kind of a file comes from its name, as in the official repository; every entry
// is checked against this implementation and counted as passed or failed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dmlssim::models::mls::vectors {

enum class VectorKind {
  kTreeMath,
  kCryptoBasics,
  kSecretTree,
  kKeySchedule,
  kPskSecret,
  kMessageProtection,
  kTranscriptHashes,
  kWelcome,
  kTreeOperations,
  kTreeValidation,
  kTreeKem,
  kMessages,
  kDeserialization,
  kPassiveClient,  // passive-client-welcome, -handling-commit, -random
  kHpke,
};

const char* to_string(VectorKind kind);
// From a path's file name ("…/passive-client-random.json" -> kPassiveClient).
std::optional<VectorKind> vector_kind_of(std::string_view path);

struct VectorResult {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;            // entries for another cipher suite
  std::size_t malformed = 0;          // entries without the fields of this kind (not checked)
  std::vector<std::string> failures;  // "entry N: why", the first few
  std::string first_malformed;        // "entry N: why" of the first malformed entry
  void pass() { ++passed; }
  void fail(std::size_t entry, const std::string& why);
};

// Runs every entry of `file` (the parsed JSON array). Never throws for a failing entry; a file
// that is not an array of objects counts as one failure.
VectorResult run_vectors(VectorKind kind, const nlohmann::json& file);

// One runner per kind (vector_runner.cpp dispatches): checks one entry, records it in `out`.
void run_tree_math(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_crypto_basics(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_secret_tree(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_key_schedule(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_psk_secret(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_message_protection(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_transcript_hashes(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_welcome(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_tree_operations(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_tree_validation(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_treekem(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_messages(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_deserialization(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_passive_client(const nlohmann::json& entry, std::size_t index, VectorResult& out);
void run_hpke(const nlohmann::json& entry, std::size_t index, VectorResult& out);

}  // namespace dmlssim::models::mls::vectors
