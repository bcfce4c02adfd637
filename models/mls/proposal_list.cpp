#include "models/mls/proposal_list.hpp"

#include <algorithm>
#include <set>

#include "models/mls/extensions.hpp"
#include "models/mls/key_package.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/leaf_signature.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/rejection.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {
namespace {

[[noreturn]] void invalid(const std::string& why) {
  throw GroupError(Rejection::kInvalidProposal, why);
}
[[noreturn]] void invalid_list(const std::string& why) {
  throw GroupError(Rejection::kInvalidProposalList, why);
}

const std::vector<std::uint16_t>& caps_credentials(const LeafNode& leaf) {
  return leaf.capabilities.credentials;
}

bool contains(const std::vector<std::uint16_t>& list, std::uint16_t v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

void check_psk(const PreSharedKeyId& psk, std::uint64_t epoch) {
  if (psk.type != PreSharedKeyId::kExternal && psk.type != PreSharedKeyId::kResumption) {
    invalid("PreSharedKey of unknown type");
  }
  // §8.6, §11: usage application, except reinit (2) and branch (3) in the commit that creates a
  // successor or branch group's first epoch.
  if (psk.type == PreSharedKeyId::kResumption) {
    if (psk.usage < 1 || psk.usage > 3) invalid("resumption PSK of unknown usage");
    if (psk.usage != 1 && epoch != 0) {
      invalid("a reinit or branch resumption PSK after the group's first commit");
    }
  }
  if (psk.psk_nonce.size() != kHashLength) invalid("PreSharedKey nonce is not Nh bytes");
}

}  // namespace

void check_leaf_fits(const RatchetTree& tree, const LeafNode& leaf, LeafIndex index,
                     const std::vector<Extension>& group_extensions, Rejection reason,
                     const LeafNode* previous) {
  const bool same_credentials = previous != nullptr &&
                                previous->credential.type == leaf.credential.type &&
                                previous->capabilities.credentials == caps_credentials(leaf);
  const Capabilities& caps = leaf.capabilities;
  if (!contains(caps.versions, kProtocolVersionMls10) ||
      !contains(caps.cipher_suites, kCipherSuite1)) {
    throw GroupError(reason, "leaf does not support the group's version and cipher suite");
  }
  if (!leaf_supports(leaf, group_extensions)) {
    throw GroupError(reason, "leaf does not support the group's extensions");
  }
  for (const Extension& e : leaf.extensions) {
    if (!is_default_extension(e.type) && !contains(caps.extensions, e.type)) {
      throw GroupError(reason, "leaf carries an extension its capabilities omit");
    }
  }
  const RatchetTree::KeysInUse in_use =
      tree.keys_in_use(leaf.encryption_key, leaf.signature_key, index);
  if (in_use.encryption) throw GroupError(reason, "leaf's encryption key is already in the tree");
  if (in_use.signature) {
    throw GroupError(reason, "leaf's signature key is already in the tree");
  }
  if (same_credentials) return;
  for (LeafIndex l = 0; l < tree.leaf_count(); ++l) {
    const LeafNode* other = tree.leaf(l);
    if (other == nullptr || l == index) continue;
    if (!contains(other->capabilities.credentials, leaf.credential.type)) {
      throw GroupError(reason, "a member does not support the leaf's credential type");
    }
    if (!contains(caps.credentials, other->credential.type)) {
      throw GroupError(reason, "leaf does not support a member's credential type");
    }
  }
}

Bytes proposal_ref(WireFormat wire_format, const FramedContent& content, const Bytes& signature) {
  // AuthenticatedContent { wire_format; FramedContent content; FramedContentAuthData auth; }
  TlsWriter w;
  w.u16(static_cast<std::uint16_t>(wire_format));
  content.encode(w);
  w.opaque(signature);
  return ref_hash("MLS 1.0 Proposal Reference", w.bytes());
}

AppliedProposals apply_proposals(const CryptoProvider& crypto, const EpochPublic& epoch,
                                 const Sender& committer,
                                 const std::vector<ResolvedProposal>& proposals) {
  const bool external = committer.type == SenderType::kNewMemberCommit;
  const RatchetTree& before = epoch.tree;
  const Bytes& group_id = epoch.context.group_id;
  AppliedProposals out;
  out.extensions = epoch.context.extensions;
  out.path_required = proposals.empty();

  const GroupContextExtensionsProposal* gce = nullptr;
  std::vector<std::pair<LeafIndex, const LeafNode*>> updates;
  std::vector<LeafIndex> removes;
  std::vector<const KeyPackage*> adds;
  std::set<LeafIndex> touched;  // leaves with an Update or Remove
  int external_inits = 0;

  for (const ResolvedProposal& rp : proposals) {
    const Proposal& p = rp.proposal;
    const bool by_value = !rp.ref.has_value();
    if (external && !by_value) invalid_list("an external commit takes proposals by value only");
    if (external && p.type() != ProposalType::kExternalInit && p.type() != ProposalType::kRemove &&
        p.type() != ProposalType::kPreSharedKey) {
      invalid_list("an external commit holds only ExternalInit, Remove and PSK proposals");
    }
    switch (p.type()) {
      case ProposalType::kAdd: {
        const KeyPackage& kp = std::get<AddProposal>(p.body).key_package;
        if (const KeyPackageError e = check_key_package(crypto, kp); e != KeyPackageError::kNone) {
          invalid(std::string("Add: ") + to_string(e));
        }
        if (kp.cipher_suite != epoch.context.cipher_suite) invalid("Add: cipher suite differs");
        for (const KeyPackage* other : adds) {
          if (other->leaf_node.signature_key == kp.leaf_node.signature_key) {
            invalid_list("two Adds for the same client");
          }
        }
        adds.push_back(&kp);
        break;
      }
      case ProposalType::kUpdate: {
        if (by_value) invalid_list("an Update cannot be committed by value");
        if (rp.sender.type != SenderType::kMember) invalid("Update from a non-member");
        const LeafIndex leaf = rp.sender.index;
        if (committer.type == SenderType::kMember && leaf == committer.index) {
          invalid_list("the committer's own Update");
        }
        const LeafNode& node = std::get<UpdateProposal>(p.body).leaf_node;
        if (node.source != LeafNodeSource::kUpdate) invalid("Update: leaf source is not update");
        if (before.leaf(leaf) == nullptr) invalid("Update from a blank leaf");
        if (!leaf_node_signature_valid(crypto, node, group_id, leaf)) {
          invalid("Update: leaf signature does not verify");
        }
        if (!touched.insert(leaf).second) invalid_list("two Updates/Removes for one leaf");
        updates.emplace_back(leaf, &node);
        break;
      }
      case ProposalType::kRemove: {
        const LeafIndex leaf = std::get<RemoveProposal>(p.body).removed;
        if (leaf >= before.leaf_count() || before.leaf(leaf) == nullptr) {
          invalid("Remove of a blank or absent leaf");
        }
        if (committer.type == SenderType::kMember && leaf == committer.index) {
          invalid_list("the committer removes itself");
        }
        if (!touched.insert(leaf).second) invalid_list("two Updates/Removes for one leaf");
        if (external && !removes.empty())
          invalid_list("an external commit removes one leaf at most");
        removes.push_back(leaf);
        break;
      }
      case ProposalType::kPreSharedKey: {
        const PreSharedKeyId& id = std::get<PreSharedKeyProposal>(p.body).psk;
        check_psk(id, epoch.context.epoch);
        for (const PreSharedKeyId& other : out.psks) {
          const bool same = other.type == id.type && other.psk_id == id.psk_id &&
                            other.psk_group_id == id.psk_group_id &&
                            other.psk_epoch == id.psk_epoch;
          if (same) invalid_list("the same PSK twice");
        }
        out.psks.push_back(id);
        break;
      }
      case ProposalType::kReInit: {
        const ReInitProposal& reinit = std::get<ReInitProposal>(p.body);
        if (reinit.version < epoch.context.version) invalid("ReInit to an older version");
        out.reinit = reinit;
        break;
      }
      case ProposalType::kExternalInit:
        if (!external) invalid_list("ExternalInit in a member's commit");
        if (++external_inits > 1) invalid_list("two ExternalInit proposals");
        out.external_init = std::get<ExternalInitProposal>(p.body).kem_output;
        break;
      case ProposalType::kGroupContextExtensions:
        if (gce != nullptr) invalid_list("two GroupContextExtensions proposals");
        gce = &std::get<GroupContextExtensionsProposal>(p.body);
        break;
    }
    const ProposalType t = p.type();
    if (t == ProposalType::kUpdate || t == ProposalType::kRemove ||
        t == ProposalType::kExternalInit || t == ProposalType::kGroupContextExtensions) {
      out.path_required = true;
    }
  }
  if (out.reinit && proposals.size() != 1) invalid_list("ReInit with other proposals");
  if (external && external_inits != 1) invalid_list("an external commit needs one ExternalInit");

  // Application in the order of §12.3.
  out.tree = before;
  RatchetTree& tree = out.tree;
  if (gce != nullptr) {
    for (LeafIndex l = 0; l < before.leaf_count(); ++l) {
      const LeafNode* leaf = before.leaf(l);
      if (leaf != nullptr && !leaf_supports(*leaf, gce->extensions)) {
        invalid("GroupContextExtensions: a member does not support them");
      }
    }
    out.extensions = gce->extensions;
  }
  for (const auto& [leaf, node] : updates) {
    tree.update_leaf(leaf, *node);
    out.updated.push_back(leaf);
  }
  for (const LeafIndex leaf : removes) {
    tree.remove_leaf(leaf);
    out.removed.push_back(leaf);
  }
  for (const KeyPackage* kp : adds) {
    out.joiners.emplace_back(tree.add_leaf(kp->leaf_node), *kp);
  }
  for (const auto& [leaf, node] : updates) {
    check_leaf_fits(tree, *node, leaf, out.extensions, Rejection::kInvalidProposal,
                    before.leaf(leaf));
  }
  for (const auto& [leaf, kp] : out.joiners) {
    check_leaf_fits(tree, kp.leaf_node, leaf, out.extensions, Rejection::kInvalidProposal);
  }
  return out;
}

}  // namespace dmlssim::models::mls
