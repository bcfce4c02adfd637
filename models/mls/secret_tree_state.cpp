#include "models/mls/secret_tree_state.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {

const char* to_string(KeyError e) {
  static const char* const kNames[] = {"none", "consumed", "too_old", "too_far_ahead",
                                       "no_such_leaf"};
  return kNames[static_cast<int>(e)];
}

// --- SharedSecretTree ---

SharedSecretTree::SharedSecretTree(const CryptoProvider& crypto, const Bytes& encryption_secret,
                                   std::uint32_t n_leaves, std::shared_ptr<Changes> changes)
    : crypto_(&crypto),
      leaves_(n_leaves),
      changes_(changes ? std::move(changes) : std::make_shared<Changes>(kOwnChanges)) {
  nodes_[root(n_leaves)] = encryption_secret;
}

const Bytes& SharedSecretTree::node_secret(NodeIndex node) {
  if (const auto it = nodes_.find(node); it != nodes_.end()) return it->second;
  const NodeIndex p = parent(node, leaves_);
  const Bytes& above = node_secret(p);
  const char* side = node < p ? "left" : "right";
  return nodes_[node] = expand_with_label(*crypto_, above, "tree", to_bytes(side), kHashLength);
}

SharedSecretTree::Chain& SharedSecretTree::chain(LeafIndex leaf, RatchetType type) {
  const auto key = std::make_pair(leaf, static_cast<int>(type));
  if (const auto it = chains_.find(key); it != chains_.end()) return it->second;
  const Bytes& leaf_secret = node_secret(leaf_node(leaf));
  chains_[{leaf, static_cast<int>(RatchetType::kHandshake)}].next_secret =
      handshake_ratchet_root(*crypto_, leaf_secret);
  chains_[{leaf, static_cast<int>(RatchetType::kApplication)}].next_secret =
      application_ratchet_root(*crypto_, leaf_secret);
  return chains_.at(key);
}

const KeyAndNonce& SharedSecretTree::key(LeafIndex leaf, RatchetType type,
                                         std::uint32_t generation) {
  Chain& c = chain(leaf, type);
  while (c.keys.size() <= generation) {
    const auto g = static_cast<std::uint32_t>(c.keys.size());
    c.keys.push_back(ratchet_key_nonce(*crypto_, c.next_secret, g));
    c.next_secret = ratchet_next(*crypto_, c.next_secret, g);
  }
  return c.keys[generation];
}

// --- SecretTreeState ---

SecretTreeState::SecretTreeState(const CryptoProvider& crypto, const Bytes& encryption_secret,
                                 std::uint32_t n_leaves, SecretTreeLimits limits,
                                 std::shared_ptr<SharedSecretTree> shared)
    : shared_(shared ? std::move(shared)
                     : std::make_shared<SharedSecretTree>(crypto, encryption_secret, n_leaves)),
      leaves_(n_leaves),
      limits_(limits) {
  if (shared_->leaves() != n_leaves)
    throw std::invalid_argument("secret tree: shared derivations of another tree size");
}

void SecretTreeState::settle() {
  settled_ = true;
  if (opened_) opened_ = shared_->settle(std::move(opened_));
}

namespace {

OpenedLeaves::const_iterator find_opened(const OpenedLeaves& opened, LeafIndex leaf) {
  return std::lower_bound(opened.begin(), opened.end(), leaf,
                          [](const OpenedLeaf& o, LeafIndex l) { return o.leaf < l; });
}

}  // namespace

std::uint32_t SecretTreeState::next_generation(LeafIndex leaf, RatchetType type) const {
  if (!opened_) return 0;
  const auto at = find_opened(*opened_, leaf);
  return at == opened_->end() || at->leaf != leaf ? 0 : at->generation[static_cast<int>(type)];
}

void SecretTreeState::set_generation(LeafIndex leaf, RatchetType type, std::uint32_t generation) {
  static const OpenedLeaves kNone;
  const OpenedLeaves& opened = opened_ ? *opened_ : kNone;
  const auto at = find_opened(opened, leaf);
  const int t = static_cast<int>(type);
  const bool open = at != opened.end() && at->leaf == leaf;
  if (open && at->generation[t] == generation) return;
  if (!open) {
    // The deepest ancestor of the leaf still holding its secret sits just below the lowest
    // common ancestor with an opened leaf (the nearest opened leaves in index order have the
    // lowest one); with none opened, it is the root. Each step down replaces one secret by two;
    // the leaf's secret is then used up by its two ratchets.
    const NodeIndex target = leaf_node(leaf);
    std::uint32_t held_level = level(root(leaves_));
    auto below_common = [&](LeafIndex other) {
      held_level = std::min(held_level, level(common_ancestor(target, leaf_node(other))) - 1);
    };
    if (at != opened.end()) below_common(at->leaf);
    if (at != opened.begin()) below_common(std::prev(at)->leaf);
    node_secrets_ = node_secrets_ + held_level - 1;
    ratchets_started_ += 2;
  }
  // The result is a function of the list and (leaf, type, generation): the change's key. The
  // list changed is `opened` or a copy of it: the leaf's place is the one found above.
  const std::uint64_t key =
      std::uint64_t{leaf} << 33 | std::uint64_t(t) << 32 | std::uint64_t{generation};
  const auto place = at - opened.begin();
  change_list(opened_, shared_->changes(), key, [&](OpenedLeaves& list) {
    auto it = list.begin() + place;
    if (!open) it = list.insert(it, OpenedLeaf{leaf, {0, 0}});
    it->generation[t] = generation;
  });
}

std::vector<std::uint32_t>* SecretTreeState::window(LeafIndex leaf, RatchetType type, bool create) {
  const auto key = std::make_pair(leaf, static_cast<int>(type));
  if (create) return &(windows_ ? *windows_ : windows_.emplace({}))[key];
  if (!windows_) return nullptr;
  const auto it = windows_->find(key);
  return it == windows_->end() ? nullptr : &it->second;
}

SecretTreeState::Next SecretTreeState::next(LeafIndex leaf, RatchetType type) {
  if (leaf >= leaves_) throw std::invalid_argument("secret tree: no such leaf");
  const std::uint32_t generation = next_generation(leaf, type);
  Next out{generation, shared_->key(leaf, type, generation)};
  set_generation(leaf, type, generation + 1);
  if (settled_) settle();
  return out;
}

SecretTreeState::Taken SecretTreeState::take(LeafIndex leaf, RatchetType type,
                                             std::uint32_t generation) {
  const KeyError error = use(leaf, type, generation);
  if (error != KeyError::kNone) return {error, {}};
  return {KeyError::kNone, shared_->key(leaf, type, generation)};
}

KeyError SecretTreeState::use(LeafIndex leaf, RatchetType type, std::uint32_t generation) {
  const KeyError error = use_key(leaf, type, generation);
  if (settled_) settle();  // (a superseded epoch's late message: settled again)
  return error;
}

KeyError SecretTreeState::use_key(LeafIndex leaf, RatchetType type, std::uint32_t generation) {
  if (leaf >= leaves_) return KeyError::kNoSuchLeaf;
  const std::uint32_t next_generation = this->next_generation(leaf, type);
  if (generation < next_generation) {  // (the leaf is open)
    std::vector<std::uint32_t>* kept = window(leaf, type, false);
    const auto it = kept == nullptr ? std::vector<std::uint32_t>::iterator()
                                    : std::lower_bound(kept->begin(), kept->end(), generation);
    if (kept == nullptr || it == kept->end() || *it != generation) {
      const bool in_window = next_generation - generation <= limits_.out_of_order_tolerance;
      return in_window ? KeyError::kConsumed : KeyError::kTooOld;
    }
    kept->erase(it);
    --window_keys_;
    if (kept->empty()) {
      windows_->erase({leaf, static_cast<int>(type)});
      if (windows_->empty()) windows_.reset();
    }
    return KeyError::kNone;
  }
  if (generation - next_generation > limits_.maximum_forward_distance) {
    set_generation(leaf, type, next_generation);  // (opens the leaf, when it is not yet)
    return KeyError::kTooFarAhead;
  }
  // Skip ahead, keeping the skipped keys (the newest out_of_order_tolerance of them).
  if (generation > next_generation && limits_.out_of_order_tolerance > 0) {
    std::vector<std::uint32_t>& kept = *window(leaf, type, true);
    const std::uint32_t from = std::max(
        next_generation, generation - std::min(generation, limits_.out_of_order_tolerance));
    for (std::uint32_t g = from; g < generation; ++g)
      kept.push_back(g);
    window_keys_ += generation - from;
    if (kept.size() > limits_.out_of_order_tolerance) {
      const std::size_t drop = kept.size() - limits_.out_of_order_tolerance;
      kept.erase(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(drop));
      window_keys_ -= drop;
    }
  }
  set_generation(leaf, type, generation + 1);
  return KeyError::kNone;
}

std::size_t SecretTreeState::secrets_held() const {
  return node_secrets_ + ratchets_started_ + window_keys_;
}

}  // namespace dmlssim::models::mls
