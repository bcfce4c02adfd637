#include "models/mls/drbg.hpp"

#include <algorithm>

#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {

Drbg::Drbg(Bytes seed) : key_(std::move(seed)) {}

Bytes Drbg::bytes(std::size_t n) {
  Bytes out;
  out.reserve(n + kHashLength);
  while (out.size() < n) {
    Bytes block(8);
    for (int i = 0; i < 8; ++i)
      block[i] = static_cast<std::uint8_t>(counter_ >> (56 - 8 * i));
    ++counter_;
    append(out, hmac_sha256(key_, block));
  }
  out.resize(n);
  return out;
}

Drbg Drbg::fork() {
  return Drbg(bytes(kHashLength));
}

}  // namespace dmlssim::models::mls
