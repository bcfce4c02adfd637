// MLS structs of RFC 9420 in TLS presentation (§5.3, §7, §10): credentials, capabilities, leaf
// and parent nodes, KeyPackages, the ratchet tree, HPKE ciphertexts and UpdatePaths. Each struct
// has encode(TlsWriter&) and a static decode(TlsReader&) that throws DecodeError on malformed
// input (unknown selector values included).
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "models/mls/tls_reader.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {

struct Extension {
  std::uint16_t type = 0;
  Bytes data;
  void encode(TlsWriter& w) const;
  static Extension decode(TlsReader& r);
  friend bool operator==(const Extension&, const Extension&) = default;
};

struct Credential {
  static constexpr std::uint16_t kBasic = 1;
  static constexpr std::uint16_t kX509 = 2;
  std::uint16_t type = kBasic;
  Bytes identity;                   // basic
  std::vector<Bytes> certificates;  // x509
  void encode(TlsWriter& w) const;
  static Credential decode(TlsReader& r);
  friend bool operator==(const Credential&, const Credential&) = default;
};

struct Capabilities {
  std::vector<std::uint16_t> versions, cipher_suites, extensions, proposals, credentials;
  void encode(TlsWriter& w) const;
  static Capabilities decode(TlsReader& r);
  friend bool operator==(const Capabilities&, const Capabilities&) = default;
};

struct Lifetime {
  std::uint64_t not_before = 0;
  std::uint64_t not_after = 0;
  friend bool operator==(const Lifetime&, const Lifetime&) = default;
};

enum class LeafNodeSource : std::uint8_t { kKeyPackage = 1, kUpdate = 2, kCommit = 3 };

struct LeafNode {
  Bytes encryption_key;
  Bytes signature_key;
  Credential credential;
  Capabilities capabilities;
  LeafNodeSource source = LeafNodeSource::kKeyPackage;
  Lifetime lifetime;  // key_package
  Bytes parent_hash;  // commit
  std::vector<Extension> extensions;
  Bytes signature;
  // Everything but the signature (the start of LeafNodeTBS).
  void encode_content(TlsWriter& w) const;
  void encode(TlsWriter& w) const;
  static LeafNode decode(TlsReader& r);
  friend bool operator==(const LeafNode&, const LeafNode&) = default;
};

struct KeyPackage {
  std::uint16_t version = 1;
  std::uint16_t cipher_suite = 1;
  Bytes init_key;
  LeafNode leaf_node;
  std::vector<Extension> extensions;
  Bytes signature;
  void encode_content(TlsWriter& w) const;  // KeyPackageTBS
  void encode(TlsWriter& w) const;
  static KeyPackage decode(TlsReader& r);
  friend bool operator==(const KeyPackage&, const KeyPackage&) = default;
};

struct ParentNode {
  Bytes encryption_key;
  Bytes parent_hash;
  std::vector<std::uint32_t> unmerged_leaves;
  void encode(TlsWriter& w) const;
  static ParentNode decode(TlsReader& r);
  friend bool operator==(const ParentNode&, const ParentNode&) = default;
};

// A node of the ratchet tree: a leaf or a parent.
using TreeNode = std::variant<LeafNode, ParentNode>;
// optional<Node> ratchet_tree<V>, as the ratchet_tree extension and the vectors carry it.
using RatchetTreeNodes = std::vector<std::optional<TreeNode>>;
void encode_ratchet_tree(TlsWriter& w, const RatchetTreeNodes& nodes);
// One entry of that vector: optional<Node> with the node type.
void encode_optional_node(TlsWriter& w, const TreeNode* node);
RatchetTreeNodes decode_ratchet_tree(TlsReader& r);

struct HpkeCiphertext {
  Bytes kem_output;
  Bytes ciphertext;
  void encode(TlsWriter& w) const;
  static HpkeCiphertext decode(TlsReader& r);
  friend bool operator==(const HpkeCiphertext&, const HpkeCiphertext&) = default;
};

struct UpdatePathNode {
  Bytes encryption_key;
  std::vector<HpkeCiphertext> encrypted_path_secret;
  friend bool operator==(const UpdatePathNode&, const UpdatePathNode&) = default;
};

struct UpdatePath {
  LeafNode leaf_node;
  std::vector<UpdatePathNode> nodes;
  void encode(TlsWriter& w) const;
  static UpdatePath decode(TlsReader& r);
  friend bool operator==(const UpdatePath&, const UpdatePath&) = default;
};

// Helpers for <V> vectors of structs.
template <typename T>
void encode_vector(TlsWriter& w, const std::vector<T>& items) {
  w.vector([&](TlsWriter& body) {
    for (const T& item : items)
      item.encode(body);
  });
}
template <typename T>
std::vector<T> decode_vector(TlsReader& r) {
  std::vector<T> out;
  r.vector([&](TlsReader& sub) { out.push_back(T::decode(sub)); });
  return out;
}

// Encodes one struct to bytes; decodes bytes that must hold exactly one.
template <typename T>
Bytes encode_one(const T& value) {
  TlsWriter w;
  value.encode(w);
  return w.take();
}
template <typename T>
T decode_one(const Bytes& bytes, const char* what) {
  TlsReader r(bytes);
  T value = T::decode(r);
  r.expect_done(what);
  return value;
}

}  // namespace dmlssim::models::mls
