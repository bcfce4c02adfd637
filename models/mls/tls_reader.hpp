// Reading TLS presentation language as MLS uses it (RFC 9420 §2.1.2). Every read checks the
// bytes left; malformed input throws DecodeError, never reads out of bounds. Vector lengths are
// QUIC-style varints of 1, 2 or 4 bytes in their shortest form: the 8-byte form (prefix 0b11) and
// non-minimal encodings are rejected, as MLS implementations do.
#pragma once

#include <stdexcept>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::mls {

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TlsReader {
 public:
  explicit TlsReader(const Bytes& data) : data_(data) {}

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  std::uint64_t varint();
  Bytes opaque();            // opaque x<V>
  Bytes raw(std::size_t n);  // n bytes as they are
  // A <V> vector whose elements `read_one` reads from a sub-reader over exactly its bytes.
  template <typename F>
  void vector(F&& read_one) {
    const Bytes body = opaque();
    TlsReader sub(body);
    while (!sub.done())
      read_one(sub);
  }

  bool done() const { return at_ == data_.size(); }
  std::size_t remaining() const { return data_.size() - at_; }
  // Throws unless every byte was consumed.
  void expect_done(const char* what) const;

 private:
  void need(std::size_t n) const;
  const Bytes& data_;
  std::size_t at_ = 0;
};

}  // namespace dmlssim::models::mls
