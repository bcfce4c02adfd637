#include "models/mls/tls_writer.hpp"

#include <cstring>
#include <stdexcept>

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

void TlsWriter::close_vector(std::size_t start) {
  const std::size_t length = out_.size() - start - kMaxVarint;
  if (length >= (1u << 30)) throw std::invalid_argument("TLS varint: value above 2^30 - 1");
  const std::size_t n = length < (1u << 6) ? 1 : length < (1u << 14) ? 2 : 4;
  const std::uint32_t tagged = static_cast<std::uint32_t>(length) | (n == 2   ? 0x4000u
                                                                     : n == 4 ? 0x80000000u
                                                                              : 0u);
  std::uint8_t* data = out_.data() + start;
  std::memmove(data + n, data + kMaxVarint, length);
  for (std::size_t i = 0; i < n; ++i)
    data[i] = static_cast<std::uint8_t>(tagged >> (8 * (n - 1 - i)));
  out_.resize(start + n + length);
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
