// Writing TLS presentation language (RFC 8446 §3) as MLS uses it (RFC 9420 §2.1.2): big-endian
// integers, and variable-length vectors prefixed by a QUIC-style varint of 1, 2 or 4 bytes (the
// 8-byte form is not used; lengths stay below 2^30).
#pragma once

#include <string_view>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::mls {

class TlsWriter {
 public:
  TlsWriter() { out_.reserve(128); }
  explicit TlsWriter(std::size_t capacity) { out_.reserve(capacity); }
  TlsWriter& u8(std::uint8_t v);
  TlsWriter& u16(std::uint16_t v);
  TlsWriter& u32(std::uint32_t v);
  TlsWriter& u64(std::uint64_t v);
  TlsWriter& varint(std::uint64_t v);  // throws std::invalid_argument above 2^30 - 1
  TlsWriter& opaque(const Bytes& v);   // varint length, then the bytes (opaque x<V>)
  TlsWriter& raw(const Bytes& v);      // the bytes as they are (fixed-size fields)
  TlsWriter& raw(std::string_view v);  // text as its bytes
  // A variable-length vector whose content `write_body(*this)` writes in place: room for the
  // longest length prefix is kept, then the content moves back over what the prefix left unused
  // (no temporary writer per nested vector).
  template <class WriteBody>
  TlsWriter& vector(WriteBody&& write_body) {
    const std::size_t start = out_.size();
    out_.resize(start + kMaxVarint);
    write_body(*this);
    close_vector(start);
    return *this;
  }
  const Bytes& bytes() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  static constexpr std::size_t kMaxVarint = 4;
  void close_vector(std::size_t start);
  Bytes out_;
};

}  // namespace dmlssim::models::mls
