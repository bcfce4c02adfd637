#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {

TlsWriter& TlsWriter::u8(std::uint8_t v) {
  out_.push_back(v);
  return *this;
}

TlsWriter& TlsWriter::u16(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
  out_.push_back(static_cast<std::uint8_t>(v));
  return *this;
}

TlsWriter& TlsWriter::u32(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out_.push_back(static_cast<std::uint8_t>(v >> shift));
  return *this;
}

TlsWriter& TlsWriter::u64(std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out_.push_back(static_cast<std::uint8_t>(v >> shift));
  return *this;
}

TlsWriter& TlsWriter::varint(std::uint64_t v) {
  if (v < (1u << 6)) return u8(static_cast<std::uint8_t>(v));
  if (v < (1u << 14)) return u16(static_cast<std::uint16_t>(0x4000 | v));
  if (v < (1u << 30)) return u32(static_cast<std::uint32_t>(0x80000000u | v));
  throw std::invalid_argument("TLS varint: value above 2^30 - 1");
}

TlsWriter& TlsWriter::opaque(const Bytes& v) {
  varint(v.size());
  return raw(v);
}

TlsWriter& TlsWriter::raw(const Bytes& v) {
  out_.insert(out_.end(), v.begin(), v.end());
  return *this;
}

TlsWriter& TlsWriter::raw(std::string_view v) {
  out_.insert(out_.end(), v.begin(), v.end());
  return *this;
}

}  // namespace dmlssim::models::mls
