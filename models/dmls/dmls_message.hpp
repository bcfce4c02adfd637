// DMLSMessage (draft-kohbrok-mls-dmls §3): an MLSMessage with the dmls_epoch it belongs to, so
// that receivers holding several forks of one epoch number know which state to use. It adds the
// Nh-byte epoch identity and its one-byte length to every message: 33 bytes in cipher suite 1.
#pragma once

#include "models/mls/tls_reader.hpp"
#include "models/mls/tls_writer.hpp"
#include "models/mls/wire_messages.hpp"

namespace dmlssim::models::dmls {

using mls::Bytes;

struct DmlsMessage {
  mls::MlsMessage message;  // a PublicMessage or PrivateMessage only
  Bytes dmls_epoch;         // Nh bytes

  // Throws std::invalid_argument for another wire format or an epoch identity not Nh bytes.
  void encode(mls::TlsWriter& w) const;
  // Throws DecodeError for the same, and for malformed or truncated input.
  static DmlsMessage decode(mls::TlsReader& r);
};

// A DMLSMessage as the epoch trees of a simulation share it (one copy for every device), with
// what each tree would otherwise compute again: the MLSMessage's encoding and the digest that
// names a commit on its epoch, SHA-256(dmls_epoch || encoding).
struct SharedDmlsMessage : DmlsMessage {
  explicit SharedDmlsMessage(DmlsMessage m);
  Bytes encoded;
  Bytes digest;
};

}  // namespace dmlssim::models::dmls
