// A deterministic random bit generator for a group member: HMAC-SHA256 of a 32-byte seed over a
// block counter. Every random choice of the MLS state machine (leaf secrets, HPKE ephemeral keys,
// reuse guards, PSK nonces) draws from one, so a simulation seed fixes every byte of every run.
#pragma once

#include <cstdint>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::mls {

class Drbg {
 public:
  explicit Drbg(Bytes seed);
  Bytes bytes(std::size_t n);
  // A child generator, independent of the draws that follow from this one.
  Drbg fork();

 private:
  Bytes key_;
  std::uint64_t counter_ = 0;
};

}  // namespace dmlssim::models::mls
