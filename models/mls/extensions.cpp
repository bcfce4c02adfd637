#include "models/mls/extensions.hpp"

#include <algorithm>

#include "models/mls/tls_reader.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {
namespace {

std::vector<std::uint16_t> read_u16s(TlsReader& r) {
  std::vector<std::uint16_t> out;
  r.vector([&](TlsReader& sub) { out.push_back(sub.u16()); });
  return out;
}

bool contains(const std::vector<std::uint16_t>& list, std::uint16_t v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool is_default_proposal(std::uint16_t type) {
  return type >= 1 && type <= 7;
}

}  // namespace

const Extension* find_extension(const std::vector<Extension>& list, std::uint16_t type) {
  for (const Extension& e : list) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

Extension ratchet_tree_extension(const RatchetTree& tree) {
  TlsWriter w;
  tree.encode(w);
  return {kExtRatchetTree, w.take()};
}

std::optional<RatchetTree> ratchet_tree_from(const std::vector<Extension>& list) {
  const Extension* e = find_extension(list, kExtRatchetTree);
  if (e == nullptr) return std::nullopt;
  TlsReader r(e->data);
  RatchetTreeNodes nodes = decode_ratchet_tree(r);
  r.expect_done("ratchet_tree extension");
  return RatchetTree::from_nodes(std::move(nodes));
}

Extension external_pub_extension(const Bytes& public_key) {
  TlsWriter w;
  w.opaque(public_key);
  return {kExtExternalPub, w.take()};
}

std::optional<Bytes> external_pub_from(const std::vector<Extension>& list) {
  const Extension* e = find_extension(list, kExtExternalPub);
  if (e == nullptr) return std::nullopt;
  TlsReader r(e->data);
  Bytes key = r.opaque();
  r.expect_done("external_pub extension");
  return key;
}

std::vector<ExternalSender> external_senders_from(const std::vector<Extension>& list) {
  std::vector<ExternalSender> out;
  const Extension* e = find_extension(list, kExtExternalSenders);
  if (e == nullptr) return out;
  TlsReader r(e->data);
  r.vector([&](TlsReader& sub) {
    ExternalSender s;
    s.signature_key = sub.opaque();
    s.credential = Credential::decode(sub);
    out.push_back(std::move(s));
  });
  r.expect_done("external_senders extension");
  return out;
}

std::optional<RequiredCapabilities> required_capabilities_from(const std::vector<Extension>& list) {
  const Extension* e = find_extension(list, kExtRequiredCapabilities);
  if (e == nullptr) return std::nullopt;
  TlsReader r(e->data);
  RequiredCapabilities c;
  c.extensions = read_u16s(r);
  c.proposals = read_u16s(r);
  c.credentials = read_u16s(r);
  r.expect_done("required_capabilities extension");
  return c;
}

bool leaf_supports(const LeafNode& leaf, const std::vector<Extension>& group_extensions) {
  const Capabilities& caps = leaf.capabilities;
  for (const Extension& e : group_extensions) {
    if (!is_default_extension(e.type) && !contains(caps.extensions, e.type)) return false;
  }
  const auto required = required_capabilities_from(group_extensions);
  if (!required) return true;
  for (const std::uint16_t t : required->extensions) {
    if (!is_default_extension(t) && !contains(caps.extensions, t)) return false;
  }
  for (const std::uint16_t t : required->proposals) {
    if (!is_default_proposal(t) && !contains(caps.proposals, t)) return false;
  }
  for (const std::uint16_t t : required->credentials) {
    if (!contains(caps.credentials, t)) return false;
  }
  return true;
}

}  // namespace dmlssim::models::mls
