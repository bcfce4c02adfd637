// tree-math.json, tree-validation.json, tree-operations.json and treekem.json.
#include <algorithm>
#include <map>

#include "models/mls/key_schedule.hpp"
#include "models/mls/ratchet_tree.hpp"
#include "models/mls/tls_reader.hpp"
#include "models/mls/tls_writer.hpp"
#include "models/mls/treekem.hpp"
#include "models/mls/vectors/entry_check.hpp"
#include "models/mls/wire_messages.hpp"

namespace dmlssim::models::mls::vectors {
namespace {

RatchetTree tree_of(const nlohmann::json& value) {
  const Bytes bytes = hex_of(value);
  TlsReader r(bytes);
  RatchetTree t = RatchetTree::from_nodes(decode_ratchet_tree(r));
  r.expect_done("ratchet_tree");
  return t;
}

std::string encoded_hex(const RatchetTree& tree) {
  TlsWriter w;
  tree.encode(w);
  return to_hex(w.bytes());
}

// A node index field that is null where the node has no such relative.
bool relative_matches(const nlohmann::json& expected, bool exists, NodeIndex got) {
  return exists ? expected.is_number() && expected.get<NodeIndex>() == got : expected.is_null();
}

}  // namespace

void run_tree_math(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  EntryCheck check(index, out);
  const auto n = v.at("n_leaves").get<std::uint32_t>();
  check.expect(node_width(n) == v.at("n_nodes").get<std::uint32_t>(), "n_nodes");
  check.expect(root(n) == v.at("root").get<std::uint32_t>(), "root");
  for (NodeIndex x = 0; x < node_width(n); ++x) {
    const bool parent_node = level(x) != 0;
    const bool not_root = x != root(n);
    const std::string at = " of node " + std::to_string(x);
    check.expect(relative_matches(v.at("left")[x], parent_node, parent_node ? left(x) : 0),
                 "left" + at);
    check.expect(relative_matches(v.at("right")[x], parent_node, parent_node ? right(x) : 0),
                 "right" + at);
    check.expect(relative_matches(v.at("parent")[x], not_root, not_root ? parent(x, n) : 0),
                 "parent" + at);
    check.expect(relative_matches(v.at("sibling")[x], not_root, not_root ? sibling(x, n) : 0),
                 "sibling" + at);
  }
  check.finish();
}

void run_tree_validation(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  EntryCheck check(index, out);
  const RatchetTree tree = tree_of(v.at("tree"));
  if (v.at("resolutions").size() != tree.node_count()) {
    out.fail(index, "resolutions do not cover every node");
    return;
  }
  for (NodeIndex x = 0; x < tree.node_count(); ++x) {
    const std::string at = " of node " + std::to_string(x);
    check.expect(tree.resolution(x) == v.at("resolutions")[x].get<std::vector<NodeIndex>>(),
                 "resolution" + at);
    check.expect(tree.tree_hash(x) == hex_of(v.at("tree_hashes")[x]), "tree hash" + at);
  }
  check.expect(tree.parent_hashes_valid(), "parent hashes");
  check.expect(tree.leaf_signatures_valid(real_crypto(), hex_of(v.at("group_id"))),
               "leaf signatures");
  check.expect(encoded_hex(tree) == v.at("tree").get<std::string>(), "re-encoding");
  check.finish();
}

void run_tree_operations(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  EntryCheck check(index, out);
  RatchetTree tree = tree_of(v.at("tree_before"));
  check.expect(tree.root_hash() == hex_of(v.at("tree_hash_before")), "tree_hash_before");
  const Proposal proposal = decode_one<Proposal>(hex_of(v.at("proposal")), "proposal");
  if (const auto* add = std::get_if<AddProposal>(&proposal.body)) {
    tree.add_leaf(add->key_package.leaf_node);
  } else if (const auto* update = std::get_if<UpdateProposal>(&proposal.body)) {
    tree.update_leaf(v.at("proposal_sender").get<LeafIndex>(), update->leaf_node);
  } else if (const auto* remove = std::get_if<RemoveProposal>(&proposal.body)) {
    tree.remove_leaf(remove->removed);
  } else {
    out.fail(index, "the proposal is not an Add, Update or Remove");
    return;
  }
  check.expect(encoded_hex(tree) == v.at("tree_after").get<std::string>(), "tree_after");
  check.expect(tree.root_hash() == hex_of(v.at("tree_hash_after")), "tree_hash_after");
  check.finish();
}

void run_treekem(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  const CryptoProvider& crypto = real_crypto();
  EntryCheck check(index, out);
  const RatchetTree before = tree_of(v.at("ratchet_tree"));
  // Each member's private keys: its leaf, and every node whose path secret it knows.
  std::map<LeafIndex, PathKeys> keys;
  for (const auto& lp : v.at("leaves_private")) {
    const auto leaf = lp.at("index").get<LeafIndex>();
    const Bytes leaf_private = hex_of(lp.at("encryption_priv"));
    keys[leaf].set(leaf_node(leaf), {leaf_private, crypto.dh_public_key(leaf_private)});
    for (const auto& ps : lp.at("path_secrets")) {
      const auto node = ps.at("node").get<NodeIndex>();
      const HpkeKeyPair pair = node_key_pair(crypto, hex_of(ps.at("path_secret")));
      const ParentNode* p = before.parent_node(node);
      check.expect(p != nullptr && p->encryption_key == pair.public_key,
                   "path secret of node " + std::to_string(node));
      keys[leaf].set(node, pair);
    }
  }
  for (const auto& u : v.at("update_paths")) {
    const auto sender = u.at("sender").get<LeafIndex>();
    const std::string from = " (sender " + std::to_string(sender) + ")";
    const UpdatePath path = decode_one<UpdatePath>(hex_of(u.at("update_path")), "update_path");
    RatchetTree after = before;
    const std::vector<NodeIndex> filtered = filtered_direct_path(before, sender);
    check.expect(merge_update_path(after, sender, path, filtered), "merge" + from);
    check.expect(after.root_hash() == hex_of(u.at("tree_hash_after")), "tree_hash_after" + from);
    GroupContext gc;
    gc.group_id = hex_of(v.at("group_id"));
    gc.epoch = v.at("epoch").get<std::uint64_t>();
    gc.tree_hash = after.root_hash();
    gc.confirmed_transcript_hash = hex_of(v.at("confirmed_transcript_hash"));
    ResolutionMemo resolutions;  // shared by the path's receivers, as a commit's members share it
    for (const auto& [receiver, held] : keys) {
      if (receiver == sender) continue;
      const std::string to = from + " for leaf " + std::to_string(receiver);
      const auto& expected = u.at("path_secrets")[receiver];
      const auto got =
          decrypt_path_secret(crypto, before, filtered, receiver, path, held, gc.encode());
      const auto memoized = decrypt_path_secret(crypto, before, filtered, receiver, path, held,
                                                gc.encode(), {}, &resolutions);
      check.expect(
          memoized.has_value() == got.has_value() &&
              (!got || (memoized->node == got->node && memoized->path_secret == got->path_secret)),
          "path secret with shared resolutions" + to);
      if (expected.is_null() || !got) {
        check.expect(expected.is_null() && !got, "path secret presence" + to);
        continue;
      }
      check.expect(got->path_secret == hex_of(expected), "path secret" + to);
      // Up the rest of the filtered path to the commit secret.
      Bytes secret = got->path_secret;
      for (auto it = std::find(filtered.begin(), filtered.end(), got->node); it != filtered.end();
           ++it) {
        check.expect(node_key_pair(crypto, secret).public_key ==
                         path.nodes[static_cast<std::size_t>(it - filtered.begin())].encryption_key,
                     "derived node key" + to);
        secret = next_path_secret(real_crypto(), secret);
      }
      check.expect(secret == hex_of(u.at("commit_secret")), "commit_secret" + to);
    }
  }
  check.finish();
}

}  // namespace dmlssim::models::mls::vectors
