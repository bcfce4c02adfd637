// A crypto provider that remembers the results of another's pure asymmetric operations: signature
// verification, HPKE OpenBase and DeriveKeyPair, X25519 public keys. In a simulated group every
// member verifies the same signature and every member below one tree node opens the same HPKE
// ciphertext with the same private key; the first computes, the others look the answer up.
// Results are identical to the wrapped provider's (they are pure functions of their inputs, keyed
// by a 128-bit hash of every input: call_key.hpp); randomized and per-signer operations pass
// through.
//
// Bounded: two generations of at most `capacity` entries each (an entry not used for two
// generations is dropped). Not thread-safe: one per simulation run.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <unordered_map>
#include <vector>

#include "models/mls/call_key.hpp"
#include "models/mls/crypto_provider.hpp"

namespace dmlssim::models::mls {

class MemoCrypto final : public CryptoProvider {
 public:
  // `inner` must outlive this provider.
  explicit MemoCrypto(const CryptoProvider& inner, std::size_t capacity = std::size_t{1} << 16);

  std::string_view name() const override { return inner_.name(); }
  Bytes dh_public_key(const Bytes& private_key) const override;
  Bytes dh(const Bytes& private_key, const Bytes& peer_public_key) const override {
    return inner_.dh(private_key, peer_public_key);
  }
  Bytes signature_public_key(const Bytes& private_key) const override {
    return inner_.signature_public_key(private_key);
  }
  Bytes sign(const Bytes& private_key, const Bytes& message) const override {
    return inner_.sign(private_key, message);
  }
  bool verify(const Bytes& public_key, const Bytes& message, const Bytes& signature) const override;
  HpkeKeyPair derive_key_pair(const Bytes& ikm) const override;
  std::pair<Bytes, Bytes> seal_base(const Bytes& public_key, const Bytes& info, const Bytes& aad,
                                    const Bytes& plaintext,
                                    const Bytes& ephemeral_seed) const override {
    return inner_.seal_base(public_key, info, aad, plaintext, ephemeral_seed);
  }
  Bytes open_base(const Bytes& enc, const HpkeKeyPair& recipient, const Bytes& info,
                  const Bytes& aad, const Bytes& ciphertext) const override;
  Bytes mac(const Bytes& key, ByteView data) const override { return inner_.mac(key, data); }
  Bytes kdf_expand(const Bytes& prk, ByteView info, std::size_t length) const override {
    return inner_.kdf_expand(prk, info, length);
  }

  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }

 private:
  // The operation and the length of every input go into a call's key, so that no two different
  // calls encode to the same bytes.
  enum class Op : std::uint8_t { kDhPublicKey = 1, kVerify, kDeriveKeyPair, kOpenBase };
  // What a remembered operation returned: a flag (verify) or up to two byte strings.
  struct Result {
    bool ok = false;
    Bytes first, second;
  };
  const Result* find(const CallKey& key) const;
  void put(const CallKey& key, Result result) const;
  // The key of a call: the operation, then each input's length and bytes.
  CallKey key_of(Op op, std::initializer_list<ByteView> inputs) const;

  const CryptoProvider& inner_;
  std::size_t capacity_;
  mutable std::unordered_map<CallKey, Result, CallKeyHash> current_, previous_;
  mutable std::vector<std::uint8_t> encoding_;  // key_of's buffer, kept between calls
  mutable std::uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace dmlssim::models::mls
