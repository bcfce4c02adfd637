// TreeKEM against the interop vectors (treekem.json): every receiver decrypts the path secret it
// is entitled to, derives the same commit secret, and the merged tree hashes as expected.
#include <catch2/catch.hpp>

#include "models/mls/key_schedule.hpp"
#include "models/mls/treekem.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("TreeKEM UpdatePaths match the interop vectors", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/treekem.json");
  REQUIRE(vectors.size() == 11);
  std::size_t decrypted = 0;
  for (std::size_t t = 0; t < vectors.size(); ++t) {
    const auto& v = vectors[t];
    CAPTURE(t);
    const mls::Bytes tree_bytes = hex(v["ratchet_tree"]);
    mls::TlsReader tr(tree_bytes);
    const mls::RatchetTree before = mls::RatchetTree::from_nodes(mls::decode_ratchet_tree(tr));
    // Each member's private keys: its leaf, and every node whose path secret it knows.
    std::map<mls::LeafIndex, std::map<mls::NodeIndex, mls::Bytes>> keys;
    for (const auto& lp : v["leaves_private"]) {
      const auto leaf = lp["index"].get<mls::LeafIndex>();
      keys[leaf][mls::leaf_node(leaf)] = hex(lp["encryption_priv"]);
      for (const auto& ps : lp["path_secrets"]) {
        const auto node = ps["node"].get<mls::NodeIndex>();
        const mls::HpkeKeyPair pair =
            mls::node_key_pair(mls::real_crypto(), hex(ps["path_secret"]));
        CHECK(before.parent_node(node) != nullptr);
        if (before.parent_node(node) != nullptr) {
          CHECK(before.parent_node(node)->encryption_key == pair.public_key);
        }
        keys[leaf][node] = pair.private_key;
      }
    }
    for (const auto& u : v["update_paths"]) {
      const auto sender = u["sender"].get<mls::LeafIndex>();
      CAPTURE(sender);
      const mls::UpdatePath path = mls::decode_one<mls::UpdatePath>(hex(u["update_path"]), "path");
      mls::RatchetTree after = before;
      CHECK(mls::merge_update_path(after, sender, path));
      CHECK(mls::to_hex(after.root_hash()) == u["tree_hash_after"].get<std::string>());
      mls::GroupContext gc;
      gc.group_id = hex(v["group_id"]);
      gc.epoch = v["epoch"].get<std::uint64_t>();
      gc.tree_hash = after.root_hash();
      gc.confirmed_transcript_hash = hex(v["confirmed_transcript_hash"]);
      const std::vector<mls::NodeIndex> filtered = mls::filtered_direct_path(before, sender);
      for (const auto& [receiver, held] : keys) {
        CAPTURE(receiver);
        const auto& expected = u["path_secrets"][receiver];
        if (receiver == sender) continue;
        REQUIRE(!expected.is_null());
        const auto got = mls::decrypt_path_secret(mls::real_crypto(), before, sender, receiver,
                                                  path, held, gc.encode());
        REQUIRE(got.has_value());
        CHECK(mls::to_hex(got->path_secret) == expected.get<std::string>());
        // Up the rest of the filtered path to the commit secret.
        mls::Bytes secret = got->path_secret;
        const auto at = std::find(filtered.begin(), filtered.end(), got->node);
        for (auto it = at; it != filtered.end(); ++it) {
          CHECK(mls::node_key_pair(mls::real_crypto(), secret).public_key ==
                path.nodes[static_cast<std::size_t>(it - filtered.begin())].encryption_key);
          secret = mls::next_path_secret(secret);
        }
        CHECK(mls::to_hex(secret) == u["commit_secret"].get<std::string>());
        ++decrypted;
      }
    }
  }
  CHECK(decrypted > 100);
}
