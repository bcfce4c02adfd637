// The key under which MemoCrypto remembers a call: a 128-bit hash of the call's encoding (the
// operation, then each input's length and bytes). Not cryptographic: the inputs are a
// simulation's own keys and messages, which no adversary chooses, and two different encodings
// share a key with a probability of about 2^-128. (A SHA-256 digest per call, used before, cost
// ~8,000 instructions a call: 4.8 % of the 30-server rung's; this costs ~10 per 16 bytes.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::mls {

struct CallKey {
  std::uint64_t lo = 0, hi = 0;
  bool operator==(const CallKey&) const = default;
};

struct CallKeyHash {
  std::size_t operator()(const CallKey& k) const { return static_cast<std::size_t>(k.lo); }
};

namespace call_key_detail {

// Odd 64-bit constants: the fractional parts of the golden ratio, sqrt(2) and sqrt(3).
inline constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;
inline constexpr std::uint64_t kRoot2 = 0x6A09E667F3BCC909ull;
inline constexpr std::uint64_t kRoot3 = 0xBB67AE8584CAA73Bull;

inline std::uint64_t rotate(std::uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

// Every input bit moves about half of the output bits.
inline std::uint64_t finish(std::uint64_t x) {
  x ^= x >> 32;
  x *= kRoot2;
  x ^= x >> 29;
  x *= kRoot3;
  x ^= x >> 32;
  return x;
}

}  // namespace call_key_detail

// The key of `bytes` (an encoding whose framing makes distinct calls distinct strings).
inline CallKey call_key(ByteView bytes) {
  using namespace call_key_detail;
  std::uint64_t a = kRoot2, b = kRoot3;
  const std::uint8_t* p = bytes.data();
  const std::size_t n = bytes.size();
  const auto mix = [&](std::uint64_t w1, std::uint64_t w2) {
    a = rotate(a ^ (w1 * kGolden), 29) * kRoot2 + b;
    b = rotate(b ^ (w2 * kRoot3), 31) * kGolden + a;
  };
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    std::uint64_t w1, w2;
    std::memcpy(&w1, p + i, 8);
    std::memcpy(&w2, p + i + 8, 8);
    mix(w1, w2);
  }
  std::uint8_t tail[16] = {};  // zero-padded: the length below tells the padding apart
  if (n > i) std::memcpy(tail, p + i, n - i);
  std::uint64_t w1, w2;
  std::memcpy(&w1, tail, 8);
  std::memcpy(&w2, tail + 8, 8);
  mix(w1, w2);
  a ^= static_cast<std::uint64_t>(n);
  b ^= static_cast<std::uint64_t>(n) * kGolden;
  a += b;
  b += a;
  a = finish(a);
  b = finish(b);
  a += b;
  b += a;
  return {a, b};
}

}  // namespace dmlssim::models::mls
