#include "models/mls/memo_crypto.hpp"

#include <cstring>

#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {

MemoCrypto::MemoCrypto(const CryptoProvider& inner, std::size_t capacity)
    : inner_(inner), capacity_(capacity < 1 ? 1 : capacity) {}

CallKey MemoCrypto::key_of(Op op, std::initializer_list<ByteView> inputs) const {
  std::vector<std::uint8_t>& out = encoding_;
  out.clear();
  out.push_back(static_cast<std::uint8_t>(op));
  for (const ByteView input : inputs) {
    const std::size_t at = out.size();
    out.resize(at + 4 + input.size());
    for (int b = 0; b < 4; ++b)
      out[at + b] = static_cast<std::uint8_t>(input.size() >> (8 * b));
    if (!input.empty()) std::memcpy(out.data() + at + 4, input.data(), input.size());
  }
  return call_key(ByteView(std::span<const std::uint8_t>(out.data(), out.size())));
}

const MemoCrypto::Result* MemoCrypto::find(const CallKey& key) const {
  if (const auto it = current_.find(key); it != current_.end()) {
    ++hits_;
    return &it->second;
  }
  if (const auto it = previous_.find(key); it != previous_.end()) {
    ++hits_;
    Result moved = std::move(it->second);
    previous_.erase(it);
    put(key, std::move(moved));
    return &current_.at(key);
  }
  ++misses_;
  return nullptr;
}

void MemoCrypto::put(const CallKey& key, Result result) const {
  if (current_.size() >= capacity_) {
    previous_ = std::move(current_);
    current_.clear();
  }
  current_.emplace(key, std::move(result));
}

Bytes MemoCrypto::dh_public_key(const Bytes& private_key) const {
  const CallKey key = key_of(Op::kDhPublicKey, {private_key});
  if (const Result* r = find(key)) return r->first;
  Bytes out = inner_.dh_public_key(private_key);
  put(key, Result{true, out, {}});
  return out;
}

bool MemoCrypto::verify(const Bytes& public_key, const Bytes& message,
                        const Bytes& signature) const {
  const CallKey key = key_of(Op::kVerify, {public_key, message, signature});
  if (const Result* r = find(key)) return r->ok;
  const bool ok = inner_.verify(public_key, message, signature);
  put(key, Result{ok, {}, {}});
  return ok;
}

HpkeKeyPair MemoCrypto::derive_key_pair(const Bytes& ikm) const {
  const CallKey key = key_of(Op::kDeriveKeyPair, {ikm});
  if (const Result* r = find(key)) return HpkeKeyPair{r->first, r->second};
  HpkeKeyPair out = inner_.derive_key_pair(ikm);
  put(key, Result{true, out.private_key, out.public_key});
  return out;
}

Bytes MemoCrypto::open_base(const Bytes& enc, const HpkeKeyPair& recipient, const Bytes& info,
                            const Bytes& aad, const Bytes& ciphertext) const {
  // The public key is a function of the private one: the private key alone names the recipient.
  const CallKey key = key_of(Op::kOpenBase, {enc, recipient.private_key, info, aad, ciphertext});
  if (const Result* r = find(key)) {
    if (!r->ok) throw CryptoError("HPKE open failed");
    return r->first;
  }
  try {
    Bytes out = inner_.open_base(enc, recipient, info, aad, ciphertext);
    put(key, Result{true, out, {}});
    return out;
  } catch (const CryptoError&) {
    put(key, Result{false, {}, {}});
    throw;
  }
}

}  // namespace dmlssim::models::mls
