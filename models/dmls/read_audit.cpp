#include "models/dmls/read_audit.hpp"

#include "models/mls/primitives.hpp"

namespace dmlssim::models::dmls {

Bytes ReadAudit::key_of(const DmlsMessage& message) {
  return mls::sha256(mls::encode_one(message));
}

void ReadAudit::sent(const DmlsMessage& message, const Identities& members) {
  members_at_send_[key_of(message)] = members;
}

void ReadAudit::read(const DmlsMessage& message, const Bytes& reader) {
  const Bytes key = key_of(message);
  const auto it = members_at_send_.find(key);
  if (it == members_at_send_.end()) return;
  ++reads_;
  if (it->second.count(reader) == 0) unauthorized_.emplace(key, reader);
}

}  // namespace dmlssim::models::dmls
