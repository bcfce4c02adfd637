// Group: joining by Welcome (§12.4.3.1) and by external commit (§12.4.3.2); GroupInfo export.
#include <algorithm>

#include "models/mls/extensions.hpp"
#include "models/mls/framing.hpp"
#include "models/mls/group.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/path_builder.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/tls_reader.hpp"
#include "models/mls/treekem.hpp"
#include "models/mls/welcome_builder.hpp"

namespace dmlssim::models::mls {
namespace {

Bytes joiner_psk_secret(const CryptoProvider& crypto, const std::vector<PreSharedKeyId>& ids,
                        const PskSources& sources) {
  std::vector<EncodedPsk> inputs;
  for (const PreSharedKeyId& id : ids) {
    const Bytes* value = nullptr;
    if (id.type == PreSharedKeyId::kExternal) {
      const auto it = sources.external.find(id.psk_id);
      if (it != sources.external.end()) value = &it->second;
    } else {
      const auto group = sources.resumption.find(id.psk_group_id);
      if (group != sources.resumption.end()) {
        const auto it = group->second.find(id.psk_epoch);
        if (it != group->second.end()) value = &it->second;
      }
    }
    if (value == nullptr) throw GroupError(Rejection::kUnknownPsk, "a Welcome PSK not held");
    inputs.push_back({encode_one(id), *value});
  }
  return psk_secret(crypto, inputs);
}

// The tree of a GroupInfo, checked against its context (§12.4.3.1 steps 5-6).
RatchetTree checked_tree(const CryptoProvider& crypto, const GroupInfo& info,
                         const std::optional<RatchetTree>& given) {
  std::optional<RatchetTree> tree;
  try {
    tree = ratchet_tree_from(info.extensions);
  } catch (const DecodeError& e) {
    throw GroupError(Rejection::kBadTree, std::string("ratchet_tree extension: ") + e.what());
  }
  if (!tree) tree = given;
  if (!tree) throw GroupError(Rejection::kBadTree, "no ratchet tree given or in the GroupInfo");
  const GroupContext& gc = info.group_context;
  if (gc.version != kProtocolVersionMls10 || gc.cipher_suite != kCipherSuite1) {
    throw GroupError(Rejection::kWrongCipherSuite, "GroupContext version or cipher suite");
  }
  const LeafNode* signer = info.signer < tree->leaf_count() ? tree->leaf(info.signer) : nullptr;
  if (signer == nullptr) throw GroupError(Rejection::kUnknownSender, "GroupInfo signer blank");
  if (!group_info_signature_valid(crypto, info, signer->signature_key)) {
    throw GroupError(Rejection::kBadSignature, "GroupInfo signature");
  }
  if (tree->root_hash() != gc.tree_hash) throw GroupError(Rejection::kBadTree, "tree hash");
  if (!tree->parent_hashes_valid()) throw GroupError(Rejection::kBadTree, "parent hashes");
  if (!tree->leaf_signatures_valid(crypto, gc.group_id)) {
    throw GroupError(Rejection::kBadTree, "a leaf signature");
  }
  return std::move(*tree);
}

}  // namespace

Group Group::join(GroupConfig config, const Welcome& welcome, const KeyPackage& key_package,
                  const KeyPackageSecrets& secrets, const std::optional<RatchetTree>& given_tree,
                  const PskSources& psks, Drbg drbg) {
  return join(std::make_shared<const GroupConfig>(std::move(config)), welcome, key_package, secrets,
              given_tree, psks, std::move(drbg));
}

Group Group::join(std::shared_ptr<const GroupConfig> config, const Welcome& welcome,
                  const KeyPackage& key_package, const KeyPackageSecrets& secrets,
                  const std::optional<RatchetTree>& given_tree, const PskSources& psks, Drbg drbg) {
  const CryptoProvider& crypto = *config->crypto;
  if (welcome.cipher_suite != kCipherSuite1) {
    throw GroupError(Rejection::kWrongCipherSuite, "Welcome cipher suite");
  }
  const Bytes ref = key_package_ref(key_package);
  const auto mine =
      std::find_if(welcome.secrets.begin(), welcome.secrets.end(),
                   [&](const EncryptedGroupSecrets& s) { return s.new_member == ref; });
  if (mine == welcome.secrets.end()) {
    throw GroupError(Rejection::kNoMatchingKeyPackage, "no secrets for our KeyPackage");
  }
  GroupSecrets group_secrets;
  GroupInfo info;
  Bytes psk;
  try {
    group_secrets = decode_one<GroupSecrets>(
        decrypt_with_label(crypto, secrets.init_private_key, "Welcome",
                           welcome.encrypted_group_info, mine->encrypted_group_secrets.kem_output,
                           mine->encrypted_group_secrets.ciphertext),
        "GroupSecrets");
    psk = joiner_psk_secret(crypto, group_secrets.psks, psks);
    const Bytes welcome_secret =
        derive_secret(crypto, crypto.kdf_extract(group_secrets.joiner_secret, psk), "welcome");
    info = decode_one<GroupInfo>(
        open_group_info(crypto, welcome_secret, welcome.encrypted_group_info), "GroupInfo");
  } catch (const CryptoError& e) {
    throw GroupError(Rejection::kUndecryptable, std::string("Welcome: ") + e.what());
  } catch (const DecodeError& e) {
    throw GroupError(Rejection::kMalformed, std::string("Welcome: ") + e.what());
  }
  RatchetTree tree = checked_tree(crypto, info, given_tree);
  const LeafNode& own_leaf = key_package.leaf_node;
  LeafIndex own = tree.leaf_count();
  for (LeafIndex l = 0; l < tree.leaf_count(); ++l) {
    const LeafNode* leaf = tree.leaf(l);
    if (leaf != nullptr && leaf->encryption_key == own_leaf.encryption_key &&
        leaf->signature_key == own_leaf.signature_key) {
      own = l;
    }
  }
  if (own == tree.leaf_count()) throw GroupError(Rejection::kBadTree, "our leaf is not in it");

  Group g(std::move(config), std::move(drbg));
  if (!psks.external.empty()) g.rare().psks = psks.external;
  const Bytes context_bytes = info.group_context.encode();
  EpochSecrets epoch_secrets =
      derive_epoch_secrets_from_joiner(crypto, group_secrets.joiner_secret, psk, context_bytes);
  if (confirmation_tag(crypto, epoch_secrets.confirmation_key,
                       info.group_context.confirmed_transcript_hash) != info.confirmation_tag) {
    throw GroupError(Rejection::kBadConfirmationTag, "GroupInfo confirmation tag");
  }
  PathKeys keys;
  keys.set(leaf_node(own), {secrets.encryption_private_key, own_leaf.encryption_key});
  if (group_secrets.path_secret) {
    const NodeIndex lca = common_ancestor(leaf_node(own), leaf_node(info.signer));
    const std::vector<NodeIndex> nodes = filtered_direct_path(tree, info.signer);
    auto at = std::find(nodes.begin(), nodes.end(), lca);
    if (at == nodes.end()) throw GroupError(Rejection::kBadPath, "path secret for no path node");
    Bytes ps = *group_secrets.path_secret;
    for (; at != nodes.end(); ++at) {
      HpkeKeyPair key = node_key_pair(crypto, ps);
      const ParentNode* node = tree.parent_node(*at);
      if (node == nullptr || node->encryption_key != key.public_key) {
        throw GroupError(Rejection::kBadPath, "Welcome path secret does not give the node key");
      }
      keys.set(*at, std::move(key));
      ps = next_path_secret(crypto, ps);
    }
  }
  g.state_ =
      g.make_epoch(make_epoch_public(info.group_context, std::move(tree), info.confirmation_tag),
                   std::move(epoch_secrets), own, std::move(keys));
  g.set_signature_private_key(secrets.signature_private_key);
  g.keep_resumption_psk();
  return g;
}

std::pair<Group, MlsMessage> Group::join_external(GroupConfig config, const GroupInfo& info,
                                                  const std::optional<RatchetTree>& given_tree,
                                                  const KeyPackage& key_package,
                                                  const KeyPackageSecrets& secrets,
                                                  std::optional<LeafIndex> resync, Drbg drbg) {
  const CryptoProvider& crypto = *config.crypto;
  RatchetTree tree = checked_tree(crypto, info, given_tree);
  const std::optional<Bytes> external_pub = external_pub_from(info.extensions);
  if (!external_pub) throw GroupError(Rejection::kNotAllowed, "GroupInfo has no external_pub");
  Group g(std::move(config), std::move(drbg));
  const EpochPublicPtr prev =
      make_epoch_public(info.group_context, std::move(tree), info.confirmation_tag);

  // ExternalInit: KEM to external_pub; its exporter gives the init_secret (§8.3).
  const HpkeKeyPair ephemeral = hpke_derive_key_pair(crypto, g.drbg_.bytes(kHashLength));
  HpkeSender sender = hpke_setup_sender(crypto, HpkeInputs{}, *external_pub, ephemeral);
  const Bytes init_secret =
      sender.context.export_secret(to_bytes("MLS 1.0 external init secret"), kHashLength);
  Commit body;
  body.proposals.push_back(ProposalOrRef{Proposal{ExternalInitProposal{sender.enc}}});
  if (resync) body.proposals.push_back(ProposalOrRef{Proposal{RemoveProposal{*resync}}});
  const Sender self{SenderType::kNewMemberCommit, 0};
  std::vector<ResolvedProposal> resolved;
  for (const ProposalOrRef& p : body.proposals)
    resolved.push_back({std::get<Proposal>(p.value), self, std::nullopt});
  AppliedProposals applied = apply_proposals(crypto, *prev, self, resolved);
  if (resync) {
    const LeafNode* old = prev->tree.leaf(*resync);
    if (old == nullptr || old->credential != key_package.leaf_node.credential) {
      throw GroupError(Rejection::kNotAllowed, "resync removes a leaf of another identity");
    }
  }
  RatchetTree& next_tree = applied.tree;
  const LeafIndex own = next_tree.add_leaf(key_package.leaf_node);
  BuiltPath path = build_update_path(crypto, g.drbg_, next_tree, own, key_package.leaf_node,
                                     secrets.signature_private_key, *prev, applied.extensions, {});
  body.path = path.path;

  FramedContent content{prev->context.group_id, prev->context.epoch, self, {}, std::move(body)};
  const Bytes signature = sign_framed_content(crypto, WireFormat::kPublicMessage, content,
                                              secrets.signature_private_key, prev->context_bytes);
  const Bytes cth =
      next_confirmed_transcript_hash(*prev, WireFormat::kPublicMessage, content, signature);
  GroupContext next_context = prev->context;
  next_context.epoch += 1;
  next_context.tree_hash = path.tree_hash;
  next_context.confirmed_transcript_hash = cth;
  next_context.extensions = applied.extensions;
  EpochSecrets epoch_secrets = derive_epoch_secrets(crypto, init_secret, path.commit_secret,
                                                    Bytes(kHashLength, 0), next_context.encode());
  const Bytes tag = confirmation_tag(crypto, epoch_secrets.confirmation_key, cth);
  MlsMessage message;
  message.body = seal_public(crypto, content, signature, {}, prev->context_bytes, tag);
  g.state_ = g.make_epoch(make_epoch_public(std::move(next_context), std::move(next_tree), tag),
                          std::move(epoch_secrets), own, std::move(path.keys));
  g.set_signature_private_key(secrets.signature_private_key);
  g.keep_resumption_psk();
  return {std::move(g), std::move(message)};
}

GroupInfo Group::group_info(bool with_ratchet_tree, bool with_external_pub) const {
  GroupInfo info;
  info.group_context = state_.pub->context;
  if (with_ratchet_tree) info.extensions.push_back(ratchet_tree_extension(state_.pub->tree));
  if (with_external_pub) {
    info.extensions.push_back(
        external_pub_extension(external_key_pair(crypto(), *state_.secrets).public_key));
  }
  info.confirmation_tag = state_.pub->confirmation_tag;
  info.signer = state_.own;
  sign_group_info_with(crypto(), info, signature_private_key());
  return info;
}

}  // namespace dmlssim::models::mls
