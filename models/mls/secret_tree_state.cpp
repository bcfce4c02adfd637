#include "models/mls/secret_tree_state.hpp"

#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {

const char* to_string(KeyError e) {
  static const char* const kNames[] = {"none", "consumed", "too_old", "too_far_ahead",
                                       "no_such_leaf"};
  return kNames[static_cast<int>(e)];
}

SecretTreeState::SecretTreeState(const CryptoProvider& crypto, const Bytes& encryption_secret,
                                 std::uint32_t n_leaves, SecretTreeLimits limits)
    : crypto_(&crypto), leaves_(n_leaves), limits_(limits) {
  node_secrets_[root(n_leaves)] = encryption_secret;
}

Bytes SecretTreeState::take_leaf_secret(LeafIndex leaf) {
  // Walk down from the deepest ancestor whose secret is still held, deriving both children at
  // each step and deleting the parent's secret (it is no longer needed).
  const NodeIndex target = leaf_node(leaf);
  std::vector<NodeIndex> path = direct_path(target, leaves_);
  path.insert(path.begin(), target);
  std::size_t held = 0;
  while (held < path.size() && node_secrets_.count(path[held]) == 0)
    ++held;
  if (held == path.size()) throw CryptoError("secret tree: the leaf's secret was already used");
  for (std::size_t i = held; i > 0; --i) {
    const NodeIndex p = path[i];
    const Bytes secret = node_secrets_.at(p);
    node_secrets_.erase(p);
    node_secrets_[left(p)] =
        expand_with_label(*crypto_, secret, "tree", to_bytes("left"), kHashLength);
    node_secrets_[right(p)] =
        expand_with_label(*crypto_, secret, "tree", to_bytes("right"), kHashLength);
  }
  Bytes leaf_secret = node_secrets_.at(target);
  node_secrets_.erase(target);
  return leaf_secret;
}

SecretTreeState::Ratchet& SecretTreeState::ratchet(LeafIndex leaf, RatchetType type) {
  Ratchet& r = ratchets_[{leaf, static_cast<int>(type)}];
  if (!r.started) {
    // Both ratchets of a leaf come from its secret at once; the leaf secret is then deleted.
    const Bytes leaf_secret = take_leaf_secret(leaf);
    Ratchet& hs = ratchets_[{leaf, static_cast<int>(RatchetType::kHandshake)}];
    Ratchet& app = ratchets_[{leaf, static_cast<int>(RatchetType::kApplication)}];
    hs = Ratchet{true, handshake_ratchet_root(*crypto_, leaf_secret), 0, {}};
    app = Ratchet{true, application_ratchet_root(*crypto_, leaf_secret), 0, {}};
    ratchets_started_ += 2;
  }
  return ratchets_.at({leaf, static_cast<int>(type)});
}

SecretTreeState::Next SecretTreeState::next(LeafIndex leaf, RatchetType type) {
  if (leaf >= leaves_) throw std::invalid_argument("secret tree: no such leaf");
  Ratchet& r = ratchet(leaf, type);
  Next out{r.generation, ratchet_key_nonce(*crypto_, r.secret, r.generation)};
  r.secret = ratchet_next(*crypto_, r.secret, r.generation);
  ++r.generation;
  return out;
}

SecretTreeState::Taken SecretTreeState::take(LeafIndex leaf, RatchetType type,
                                             std::uint32_t generation) {
  if (leaf >= leaves_) return {KeyError::kNoSuchLeaf, {}};
  Ratchet& r = ratchet(leaf, type);
  if (generation < r.generation) {
    const auto it = r.window.find(generation);
    if (it == r.window.end()) {
      const bool in_window = r.generation - generation <= limits_.out_of_order_tolerance;
      return {in_window ? KeyError::kConsumed : KeyError::kTooOld, {}};
    }
    Taken out{KeyError::kNone, std::move(it->second)};
    r.window.erase(it);
    --window_keys_;
    return out;
  }
  if (generation - r.generation > limits_.maximum_forward_distance) {
    return {KeyError::kTooFarAhead, {}};
  }
  // Skip ahead, keeping the skipped keys (the newest out_of_order_tolerance of them).
  while (r.generation < generation) {
    r.window[r.generation] = ratchet_key_nonce(*crypto_, r.secret, r.generation);
    ++window_keys_;
    r.secret = ratchet_next(*crypto_, r.secret, r.generation);
    ++r.generation;
  }
  while (r.window.size() > limits_.out_of_order_tolerance) {
    r.window.erase(r.window.begin());
    --window_keys_;
  }
  Taken out{KeyError::kNone, ratchet_key_nonce(*crypto_, r.secret, r.generation)};
  r.secret = ratchet_next(*crypto_, r.secret, r.generation);
  ++r.generation;
  return out;
}

std::size_t SecretTreeState::secrets_held() const {
  return node_secrets_.size() + ratchets_started_ + window_keys_;
}

}  // namespace dmlssim::models::mls
