#include "models/mls/wire_types.hpp"

#include <string>

namespace dmlssim::models::mls {
namespace {

void encode_u16s(TlsWriter& w, const std::vector<std::uint16_t>& values) {
  w.vector([&](TlsWriter& body) {
    for (const std::uint16_t v : values)
      body.u16(v);
  });
}

std::vector<std::uint16_t> decode_u16s(TlsReader& r) {
  std::vector<std::uint16_t> out;
  r.vector([&](TlsReader& sub) { out.push_back(sub.u16()); });
  return out;
}

bool read_optional_flag(TlsReader& r) {
  const std::uint8_t present = r.u8();
  if (present > 1) throw DecodeError("optional<T>: presence byte " + std::to_string(present));
  return present == 1;
}

}  // namespace

void Extension::encode(TlsWriter& w) const {
  w.u16(type).opaque(data);
}

Extension Extension::decode(TlsReader& r) {
  Extension e;
  e.type = r.u16();
  e.data = r.opaque();
  return e;
}

void Credential::encode(TlsWriter& w) const {
  w.u16(type);
  if (type == kBasic) {
    w.opaque(identity);
  } else {
    w.vector([&](TlsWriter& body) {
      for (const Bytes& cert : certificates)
        body.opaque(cert);
    });
  }
}

Credential Credential::decode(TlsReader& r) {
  Credential c;
  c.type = r.u16();
  if (c.type == kBasic) {
    c.identity = r.opaque();
  } else if (c.type == kX509) {
    r.vector([&](TlsReader& sub) { c.certificates.push_back(sub.opaque()); });
  } else {
    throw DecodeError("Credential: unknown credential type " + std::to_string(c.type));
  }
  return c;
}

void Capabilities::encode(TlsWriter& w) const {
  encode_u16s(w, versions);
  encode_u16s(w, cipher_suites);
  encode_u16s(w, extensions);
  encode_u16s(w, proposals);
  encode_u16s(w, credentials);
}

Capabilities Capabilities::decode(TlsReader& r) {
  Capabilities c;
  c.versions = decode_u16s(r);
  c.cipher_suites = decode_u16s(r);
  c.extensions = decode_u16s(r);
  c.proposals = decode_u16s(r);
  c.credentials = decode_u16s(r);
  return c;
}

void LeafNode::encode_content(TlsWriter& w) const {
  w.opaque(encryption_key).opaque(signature_key);
  credential.encode(w);
  capabilities.encode(w);
  w.u8(static_cast<std::uint8_t>(source));
  if (source == LeafNodeSource::kKeyPackage) {
    w.u64(lifetime.not_before).u64(lifetime.not_after);
  } else if (source == LeafNodeSource::kCommit) {
    w.opaque(parent_hash);
  }
  encode_vector(w, extensions);
}

void LeafNode::encode(TlsWriter& w) const {
  encode_content(w);
  w.opaque(signature);
}

LeafNode LeafNode::decode(TlsReader& r) {
  LeafNode n;
  n.encryption_key = r.opaque();
  n.signature_key = r.opaque();
  n.credential = Credential::decode(r);
  n.capabilities = Capabilities::decode(r);
  const std::uint8_t source = r.u8();
  if (source < 1 || source > 3)
    throw DecodeError("LeafNode: unknown source " + std::to_string(source));
  n.source = static_cast<LeafNodeSource>(source);
  if (n.source == LeafNodeSource::kKeyPackage) {
    n.lifetime.not_before = r.u64();
    n.lifetime.not_after = r.u64();
  } else if (n.source == LeafNodeSource::kCommit) {
    n.parent_hash = r.opaque();
  }
  n.extensions = decode_vector<Extension>(r);
  n.signature = r.opaque();
  return n;
}

void KeyPackage::encode_content(TlsWriter& w) const {
  w.u16(version).u16(cipher_suite).opaque(init_key);
  leaf_node.encode(w);
  encode_vector(w, extensions);
}

void KeyPackage::encode(TlsWriter& w) const {
  encode_content(w);
  w.opaque(signature);
}

KeyPackage KeyPackage::decode(TlsReader& r) {
  KeyPackage k;
  k.version = r.u16();
  k.cipher_suite = r.u16();
  k.init_key = r.opaque();
  k.leaf_node = LeafNode::decode(r);
  k.extensions = decode_vector<Extension>(r);
  k.signature = r.opaque();
  return k;
}

void ParentNode::encode(TlsWriter& w) const {
  w.opaque(encryption_key).opaque(parent_hash);
  w.vector([&](TlsWriter& leaves) {
    for (const std::uint32_t l : unmerged_leaves)
      leaves.u32(l);
  });
}

ParentNode ParentNode::decode(TlsReader& r) {
  ParentNode p;
  p.encryption_key = r.opaque();
  p.parent_hash = r.opaque();
  r.vector([&](TlsReader& sub) { p.unmerged_leaves.push_back(sub.u32()); });
  return p;
}

void encode_optional_node(TlsWriter& w, const TreeNode* node) {
  w.u8(node != nullptr ? 1 : 0);
  if (node == nullptr) return;
  if (const auto* leaf = std::get_if<LeafNode>(node)) {
    w.u8(1);
    leaf->encode(w);
  } else {
    w.u8(2);
    std::get<ParentNode>(*node).encode(w);
  }
}

void encode_ratchet_tree(TlsWriter& w, const RatchetTreeNodes& nodes) {
  w.vector([&](TlsWriter& body) {
    for (const auto& node : nodes)
      encode_optional_node(body, node ? &*node : nullptr);
  });
}

RatchetTreeNodes decode_ratchet_tree(TlsReader& r) {
  RatchetTreeNodes nodes;
  r.vector([&](TlsReader& sub) {
    if (!read_optional_flag(sub)) {
      nodes.emplace_back();
      return;
    }
    const std::uint8_t type = sub.u8();
    if (type == 1) {
      nodes.emplace_back(LeafNode::decode(sub));
    } else if (type == 2) {
      nodes.emplace_back(ParentNode::decode(sub));
    } else {
      throw DecodeError("Node: unknown node type " + std::to_string(type));
    }
  });
  return nodes;
}

void HpkeCiphertext::encode(TlsWriter& w) const {
  w.opaque(kem_output).opaque(ciphertext);
}

HpkeCiphertext HpkeCiphertext::decode(TlsReader& r) {
  HpkeCiphertext c;
  c.kem_output = r.opaque();
  c.ciphertext = r.opaque();
  return c;
}

void UpdatePath::encode(TlsWriter& w) const {
  leaf_node.encode(w);
  w.vector([&](TlsWriter& body) {
    for (const UpdatePathNode& n : nodes) {
      body.opaque(n.encryption_key);
      encode_vector(body, n.encrypted_path_secret);
    }
  });
}

UpdatePath UpdatePath::decode(TlsReader& r) {
  UpdatePath p;
  p.leaf_node = LeafNode::decode(r);
  r.vector([&](TlsReader& sub) {
    UpdatePathNode n;
    n.encryption_key = sub.opaque();
    n.encrypted_path_secret = decode_vector<HpkeCiphertext>(sub);
    p.nodes.push_back(std::move(n));
  });
  return p;
}

}  // namespace dmlssim::models::mls
