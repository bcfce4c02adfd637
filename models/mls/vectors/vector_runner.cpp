#include "models/mls/vectors/vector_runner.hpp"

#include <exception>
#include <filesystem>

namespace dmlssim::models::mls::vectors {
namespace {

struct KindName {
  VectorKind kind;
  const char* name;
};

constexpr KindName kKinds[] = {
    {VectorKind::kTreeMath, "tree-math"},
    {VectorKind::kCryptoBasics, "crypto-basics"},
    {VectorKind::kSecretTree, "secret-tree"},
    {VectorKind::kKeySchedule, "key-schedule"},
    {VectorKind::kPskSecret, "psk_secret"},
    {VectorKind::kMessageProtection, "message-protection"},
    {VectorKind::kTranscriptHashes, "transcript-hashes"},
    {VectorKind::kWelcome, "welcome"},
    {VectorKind::kTreeOperations, "tree-operations"},
    {VectorKind::kTreeValidation, "tree-validation"},
    {VectorKind::kTreeKem, "treekem"},
    {VectorKind::kMessages, "messages"},
    {VectorKind::kDeserialization, "deserialization"},
    {VectorKind::kPassiveClient, "passive-client"},
    {VectorKind::kHpke, "hpke"},
};

using Runner = void (*)(const nlohmann::json&, std::size_t, VectorResult&);

Runner runner_of(VectorKind kind) {
  switch (kind) {
    case VectorKind::kTreeMath:
      return run_tree_math;
    case VectorKind::kCryptoBasics:
      return run_crypto_basics;
    case VectorKind::kSecretTree:
      return run_secret_tree;
    case VectorKind::kKeySchedule:
      return run_key_schedule;
    case VectorKind::kPskSecret:
      return run_psk_secret;
    case VectorKind::kMessageProtection:
      return run_message_protection;
    case VectorKind::kTranscriptHashes:
      return run_transcript_hashes;
    case VectorKind::kWelcome:
      return run_welcome;
    case VectorKind::kTreeOperations:
      return run_tree_operations;
    case VectorKind::kTreeValidation:
      return run_tree_validation;
    case VectorKind::kTreeKem:
      return run_treekem;
    case VectorKind::kMessages:
      return run_messages;
    case VectorKind::kDeserialization:
      return run_deserialization;
    case VectorKind::kPassiveClient:
      return run_passive_client;
    case VectorKind::kHpke:
      return run_hpke;
  }
  return nullptr;
}

}  // namespace

const char* to_string(VectorKind kind) {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<VectorKind> vector_kind_of(std::string_view path) {
  std::string stem = std::filesystem::path(std::string(path)).stem().string();
  // The official names, plus the passive-client family and HPKE's test-vectors.json.
  if (stem.rfind("passive-client", 0) == 0) return VectorKind::kPassiveClient;
  if (stem == "test-vectors" || stem.rfind("hpke", 0) == 0 || stem.rfind("rfc9180", 0) == 0) {
    return VectorKind::kHpke;
  }
  for (const KindName& k : kKinds) {
    if (stem == k.name) return k.kind;
  }
  return std::nullopt;
}

void VectorResult::fail(std::size_t entry, const std::string& why) {
  ++failed;
  if (failures.size() < 5) failures.push_back("entry " + std::to_string(entry) + ": " + why);
}

VectorResult run_vectors(VectorKind kind, const nlohmann::json& file) {
  VectorResult out;
  const Runner run = runner_of(kind);
  if (run == nullptr) {
    out.fail(0, std::string("no runner for ") + to_string(kind));
    return out;
  }
  if (!file.is_array()) {
    out.fail(0, "the file is not a JSON array of test vectors");
    return out;
  }
  for (std::size_t i = 0; i < file.size(); ++i) {
    try {
      if (!file[i].is_object()) {
        if (out.malformed++ == 0)
          out.first_malformed = "entry " + std::to_string(i) + ": not a JSON object";
        continue;
      }
      run(file[i], i, out);
    } catch (const nlohmann::json::exception& e) {
      // A missing field or a field of the wrong JSON type: the entry is not of this kind.
      std::string why = e.what();
      if (const auto end = why.find("] "); why.rfind("[json.", 0) == 0 && end != std::string::npos)
        why = why.substr(end + 2);
      if (out.malformed++ == 0) out.first_malformed = "entry " + std::to_string(i) + ": " + why;
    } catch (const std::exception& e) {
      out.fail(i, e.what());
    }
  }
  return out;
}

}  // namespace dmlssim::models::mls::vectors
