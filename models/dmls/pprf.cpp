#include "models/dmls/pprf.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::dmls {

// A trie over input prefixes. Invariant: a node holding a secret has no children (its whole
// subtree is derivable from it); a node without one has at least one child.
struct PuncturablePrf::Node {
  std::optional<Bytes> secret;
  std::unique_ptr<Node> child[2];
};

namespace {

int bit_of(const Bytes& input, unsigned level) {
  return (input[level / 8] >> (7 - level % 8)) & 1;
}

std::size_t position_size(unsigned level) {
  return 2 + (level + 7) / 8;
}

void require_nh(const Bytes& value, const char* what) {
  if (value.size() != mls::kHashLength) {
    throw std::invalid_argument(std::string("PPRF: ") + what + " must be Nh (32) bytes, got " +
                                std::to_string(value.size()));
  }
}

}  // namespace

PuncturablePrf::PuncturablePrf(const mls::CryptoProvider& crypto, const Bytes& key, unsigned depth)
    : crypto_(&crypto), depth_(depth), root_(std::make_unique<Node>()) {
  require_nh(key, "key");
  if (depth < 1 || depth > kFullDepth) {
    throw std::invalid_argument("PPRF: depth must be 1.." + std::to_string(kFullDepth) + ", got " +
                                std::to_string(depth));
  }
  root_->secret = key;
  secrets_held_ = 1;
  position_bytes_ = position_size(0);
}

PuncturablePrf::~PuncturablePrf() = default;
PuncturablePrf::PuncturablePrf(PuncturablePrf&&) noexcept = default;
PuncturablePrf& PuncturablePrf::operator=(PuncturablePrf&&) noexcept = default;

std::size_t PuncturablePrf::secret_bytes() const {
  return secrets_held_ * mls::kHashLength;
}

bool PuncturablePrf::punctured(const Bytes& input) const {
  return !derive_start(input).has_value();
}

std::optional<std::pair<const PuncturablePrf::Node*, unsigned>> PuncturablePrf::derive_start(
    const Bytes& input) const {
  require_nh(input, "input");
  const Node* n = root_.get();
  unsigned level = 0;
  for (; n != nullptr && !n->secret; ++level)
    n = n->child[bit_of(input, level)].get();
  if (n == nullptr) return std::nullopt;
  return std::make_pair(n, level);
}

std::optional<PuncturablePrf::Evaluation> PuncturablePrf::derive(const Bytes& input) const {
  const auto start = derive_start(input);
  if (!start) return std::nullopt;
  Evaluation e;
  e.input = input;
  e.from_level = start->second;
  Bytes secret = *start->first->secret;
  e.siblings.reserve(depth_ - e.from_level);
  for (unsigned level = e.from_level; level < depth_; ++level) {
    Bytes left =
        mls::expand_with_label(*crypto_, secret, "tree", mls::to_bytes("left"), mls::kHashLength);
    Bytes right =
        mls::expand_with_label(*crypto_, secret, "tree", mls::to_bytes("right"), mls::kHashLength);
    const bool go_right = bit_of(input, level) == 1;
    e.siblings.push_back(go_right ? std::move(left) : std::move(right));
    secret = go_right ? std::move(right) : std::move(left);
  }
  e.output = mls::derive_secret(*crypto_, secret, "pprf");
  return e;
}

void PuncturablePrf::puncture(const Evaluation& e) {
  // Down to the held node the derivation started from, remembering the way for pruning.
  std::vector<std::pair<Node*, int>> way;  // (node, branch taken)
  Node* n = root_.get();
  unsigned level = 0;
  while (n != nullptr && !n->secret) {
    const int b = bit_of(e.input, level);
    way.emplace_back(n, b);
    n = n->child[b].get();
    ++level;
  }
  if (n == nullptr || level != e.from_level || e.siblings.size() != depth_ - level) {
    throw std::logic_error("PPRF: punctured since the evaluation was derived");
  }
  n->secret.reset();
  --secrets_held_;
  position_bytes_ -= position_size(level);
  // From there to the leaf: each sibling kept, the child on the input's path followed.
  for (std::size_t k = 0; level < depth_; ++level, ++k) {
    const int b = bit_of(e.input, level);
    n->child[1 - b] = std::make_unique<Node>();
    n->child[1 - b]->secret = e.siblings[k];
    ++secrets_held_;
    position_bytes_ += position_size(level + 1);
    if (level + 1 < depth_) {
      n->child[b] = std::make_unique<Node>();
      n = n->child[b].get();
    }
  }
  // A leaf that was held itself leaves an empty node: prune it and every ancestor left empty.
  if (!n->secret && !n->child[0] && !n->child[1]) {
    while (!way.empty()) {
      auto [parent, b] = way.back();
      way.pop_back();
      parent->child[b].reset();
      if (parent->child[0] || parent->child[1]) break;
    }
  }
  ++evaluations_;
}

std::optional<Bytes> PuncturablePrf::evaluate(const Bytes& input) {
  std::optional<Evaluation> e = derive(input);
  if (!e) return std::nullopt;
  puncture(*e);
  return std::move(e->output);
}

}  // namespace dmlssim::models::dmls
