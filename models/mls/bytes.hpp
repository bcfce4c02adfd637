// Byte strings for the MLS core.
#pragma once

// GCC 12 reports false -Wstringop-overread/-overflow positives inside Boost.Container's copy of the
// inline buffer (it cannot see that the inline branch copies at most 32 bytes).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#include <boost/container/small_vector.hpp>
#pragma GCC diagnostic pop
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dmlssim::models::mls {

// Keys, secrets and hashes (32 bytes in cipher suite 1) are held inline, without a heap
// allocation; longer byte strings spill to the heap.
using Bytes = boost::container::small_vector<std::uint8_t, 32>;
// A read-only view of bytes, from Bytes, arrays or pointer and length.
struct ByteView : std::span<const std::uint8_t> {
  using std::span<const std::uint8_t>::span;
  ByteView(std::span<const std::uint8_t> s) : std::span<const std::uint8_t>(s) {}
  ByteView(const Bytes& b) : std::span<const std::uint8_t>(b.data(), b.size()) {}
};

inline ByteView view_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline Bytes to_bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// Lower-case or upper-case hex to bytes; throws std::invalid_argument on odd length or a non-hex
// character.
Bytes from_hex(std::string_view hex);
std::string to_hex(const Bytes& bytes);

// Byte-wise order for map keys (std::less<Bytes> trips a false -Wstringop-overread in g++ 12).
struct BytesLess {
  bool operator()(const Bytes& a, const Bytes& b) const {
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return a[i] < b[i];
    }
    return a.size() < b.size();
  }
};

// Hashing and equality for unordered containers keyed by bytes (FNV-1a over every byte).
struct BytesHash {
  std::size_t operator()(const Bytes& b) const {
    std::uint64_t h = 14695981039346656037ull;
    for (const std::uint8_t c : b)
      h = (h ^ c) * 1099511628211ull;
    return static_cast<std::size_t>(h);
  }
};
// For keys that are digests (epoch identities, commit digests: uniformly random bytes): their
// first eight bytes hash them as well as all of them would.
struct DigestHash {
  std::size_t operator()(const Bytes& b) const {
    if (b.size() < 8) return BytesHash()(b);
    std::uint64_t h;
    std::memcpy(&h, b.data(), sizeof h);
    return static_cast<std::size_t>(h ^ b.size());
  }
};
struct BytesEqual {
  bool operator()(const Bytes& a, const Bytes& b) const {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
  }
};
// Equality of byte strings by memcmp, for code in this namespace (the MLS wire types' defaulted
// comparisons included): Boost's compares byte by byte, and a commit's comparison walks every
// ciphertext of its path. An exact match for Bytes, it is preferred over Boost's, which takes the
// base class.
inline bool operator==(const Bytes& a, const Bytes& b) {
  return BytesEqual()(a, b);
}

inline void append(Bytes& out, const Bytes& b) {
  out.insert(out.end(), b.begin(), b.end());
}

inline Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace dmlssim::models::mls
