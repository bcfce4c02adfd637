#include "models/dmls/dmls_message.hpp"

#include <stdexcept>
#include <string>

#include "models/mls/primitives.hpp"

namespace dmlssim::models::dmls {
namespace {

// Why `m` cannot be carried, or nullptr.
const char* unfit(const mls::MlsMessage& m, const Bytes& dmls_epoch) {
  const mls::WireFormat f = m.wire_format();
  if (f != mls::WireFormat::kPublicMessage && f != mls::WireFormat::kPrivateMessage) {
    return "DMLSMessage: only PublicMessage and PrivateMessage are carried";
  }
  if (dmls_epoch.size() != mls::kHashLength) return "DMLSMessage: dmls_epoch is not Nh bytes";
  return nullptr;
}

}  // namespace

void DmlsMessage::encode(mls::TlsWriter& w) const {
  if (const char* why = unfit(message, dmls_epoch)) throw std::invalid_argument(why);
  message.encode(w);
  w.opaque(dmls_epoch);
}

DmlsMessage DmlsMessage::decode(mls::TlsReader& r) {
  DmlsMessage m;
  m.message = mls::MlsMessage::decode(r);
  m.dmls_epoch = r.opaque();
  if (const char* why = unfit(m.message, m.dmls_epoch)) throw mls::DecodeError(why);
  return m;
}

SharedDmlsMessage::SharedDmlsMessage(DmlsMessage m)
    : DmlsMessage(std::move(m)),
      encoded(mls::encode_one(message)),
      digest(mls::sha256_of({dmls_epoch, encoded})) {}

}  // namespace dmlssim::models::dmls
