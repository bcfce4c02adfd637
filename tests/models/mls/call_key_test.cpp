// MemoCrypto's call keys: the values of an independent implementation of the same arithmetic
// (a Python script with unbounded integers reduced modulo 2^64), and distinct keys for distinct
// encodings — every single-bit change, every length, zero padding included.
#include <catch2/catch.hpp>
#include <set>
#include <utility>

#include "models/mls/call_key.hpp"

namespace mls = dmlssim::models::mls;

namespace {

mls::CallKey key_of(const mls::Bytes& b) {
  return mls::call_key(b);
}

}  // namespace

TEST_CASE("call keys equal an independent computation", "[mls]") {
  using K = mls::CallKey;
  CHECK(key_of({}) == K{0x3dc325346bc9cbfaull, 0xa402375bee69ad63ull});
  CHECK(key_of(mls::to_bytes("abc")) == K{0x720a9e8c6035bef2ull, 0x7a228f3ccfc0115eull});
  mls::Bytes counting;
  for (int i = 0; i < 40; ++i)
    counting.push_back(static_cast<std::uint8_t>(i));
  CHECK(key_of(counting) == K{0xc836f87da057eef4ull, 0xa807f4b31df52e24ull});
  mls::Bytes label;
  for (int i = 0; i < 7; ++i) {
    const mls::Bytes part = mls::to_bytes("MLS 1.0 UpdatePathNode");
    label.insert(label.end(), part.begin(), part.end());
  }
  CHECK(key_of(label) == K{0x4b057d41c75f88d9ull, 0x876ae86a359c41c0ull});
}

TEST_CASE("call keys tell apart every bit flip, length and zero padding", "[mls]") {
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  std::size_t made = 0;
  const auto note = [&](const mls::Bytes& b) {
    const mls::CallKey k = key_of(b);
    seen.insert({k.lo, k.hi});
    ++made;
  };
  for (std::size_t n = 0; n <= 48; ++n) {
    const mls::Bytes zeros(n, 0);  // zeros of each length: the padding is told apart
    note(zeros);
    mls::Bytes b(n, 0x5a);
    if (n > 0) note(b);  // (the empty string is noted once, above)
    for (std::size_t i = 0; i < n; ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        mls::Bytes flipped = b;
        flipped[i] ^= static_cast<std::uint8_t>(1 << bit);
        note(flipped);
      }
    }
  }
  CHECK(seen.size() == made);
}
