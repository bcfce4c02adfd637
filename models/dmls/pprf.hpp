// The puncturable PRF of draft-kohbrok-mls-dmls §5 (DeriveFSSecret): the MLS secret-tree
// derivation (RFC 9420 §9: left child = ExpandWithLabel(s, "tree", "left", Nh), right child the
// same with "right") used as a GGM tree whose leaf is chosen by the input's bits, most significant
// first; the output is DeriveSecret(leaf, "pprf"). Evaluating punctures: the secrets on the input's
// path are deleted and their siblings kept, so that input can never be derived again while every
// other input still can.
//
// Depth. The draft says the tree has "KDF.Nh leaves" yet uses an Nh-byte input as the leaf index.
// The only reading in which every Nh-byte input names a leaf of its own is 8·Nh = 256 levels
// (2^256 leaves) — the default here. A shallower depth uses the input's first `depth` bits, so
// inputs sharing them share a leaf and the second finds it punctured; it exists to measure what
// the other readings would cost.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "models/mls/bytes.hpp"
#include "models/mls/crypto_provider.hpp"

namespace dmlssim::models::dmls {

using mls::Bytes;

class PuncturablePrf {
 public:
  static constexpr unsigned kFullDepth = 256;  // 8 * Nh for cipher suite 1

  // `key` is the root secret (Nh bytes); 1 <= depth <= kFullDepth. Throws std::invalid_argument.
  PuncturablePrf(const mls::CryptoProvider& crypto, const Bytes& key, unsigned depth = kFullDepth);
  ~PuncturablePrf();
  PuncturablePrf(PuncturablePrf&&) noexcept;
  PuncturablePrf& operator=(PuncturablePrf&&) noexcept;
  PuncturablePrf(const PuncturablePrf&) = delete;  // a copy would let a punctured input be derived
  PuncturablePrf& operator=(const PuncturablePrf&) = delete;

  // DeriveFSSecret(key, input) for an Nh-byte input, then punctured; nullopt when it already was.
  // Throws std::invalid_argument for an input of another length.
  std::optional<Bytes> evaluate(const Bytes& input);
  bool punctured(const Bytes& input) const;

  // evaluate() in two steps, so that a caller can check what the output leads to before it gives
  // the input up: derive() computes and changes nothing; puncture() applies what derive() found
  // (throws std::logic_error if the PRF changed in between in a way that affects the input).
  struct Evaluation {
    Bytes input;
    unsigned from_level = 0;      // the level of the held node the derivation started from
    std::vector<Bytes> siblings;  // the copath secrets to keep, from that level down
    Bytes output;
  };
  std::optional<Evaluation> derive(const Bytes& input) const;
  void puncture(const Evaluation& evaluation);

  std::size_t evaluations() const { return evaluations_; }
  // What is held now: node secrets (Nh bytes each) and, to find them, each one's position in the
  // tree (a 2-byte level and the ceil(level / 8) bytes of its path).
  std::size_t secrets_held() const { return secrets_held_; }
  std::size_t secret_bytes() const;
  std::size_t position_bytes() const { return position_bytes_; }

 private:
  struct Node;
  // The held node covering `input` and its level; nullopt when the input is punctured.
  std::optional<std::pair<const Node*, unsigned>> derive_start(const Bytes& input) const;
  const mls::CryptoProvider* crypto_;
  unsigned depth_;
  std::unique_ptr<Node> root_;
  std::size_t evaluations_ = 0;
  std::size_t secrets_held_ = 0;
  std::size_t position_bytes_ = 0;
};

}  // namespace dmlssim::models::dmls
