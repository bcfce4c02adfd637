#include "models/mls/tls_reader.hpp"

#include <string>

namespace dmlssim::models::mls {

void TlsReader::need(std::size_t n) const {
  if (remaining() < n) {
    throw DecodeError("truncated: " + std::to_string(n) + " bytes needed at offset " +
                      std::to_string(at_) + ", " + std::to_string(remaining()) + " left");
  }
}

std::uint8_t TlsReader::u8() {
  need(1);
  return data_[at_++];
}

std::uint16_t TlsReader::u16() {
  need(2);
  const std::uint16_t v = static_cast<std::uint16_t>((data_[at_] << 8) | data_[at_ + 1]);
  at_ += 2;
  return v;
}

std::uint32_t TlsReader::u32() {
  need(4);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v = (v << 8) | data_[at_++];
  return v;
}

std::uint64_t TlsReader::u64() {
  need(8);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | data_[at_++];
  return v;
}

std::uint64_t TlsReader::varint() {
  need(1);
  const std::uint8_t prefix = data_[at_] >> 6;
  if (prefix == 3) throw DecodeError("varint: the 8-byte form is not used by MLS");
  const std::size_t length = std::size_t{1} << prefix;
  need(length);
  std::uint64_t v = data_[at_] & 0x3f;
  for (std::size_t i = 1; i < length; ++i)
    v = (v << 8) | data_[at_ + i];
  const std::uint64_t minimum = length == 1 ? 0 : length == 2 ? 64 : 16384;
  if (v < minimum) throw DecodeError("varint: not in its shortest form");
  at_ += length;
  return v;
}

Bytes TlsReader::opaque() {
  const std::uint64_t length = varint();
  return raw(static_cast<std::size_t>(length));
}

Bytes TlsReader::raw(std::size_t n) {
  need(n);
  Bytes out(data_.begin() + static_cast<long>(at_), data_.begin() + static_cast<long>(at_ + n));
  at_ += n;
  return out;
}

void TlsReader::expect_done(const char* what) const {
  if (!done()) {
    throw DecodeError(std::string(what) + ": " + std::to_string(remaining()) +
                      " bytes left over after the end");
  }
}

}  // namespace dmlssim::models::mls
