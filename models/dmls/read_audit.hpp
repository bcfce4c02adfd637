// Reads the room's membership does not allow (DESIGN.md §5): for each application message, the
// devices that decrypted it although their user was not a member of the room when it was sent —
// what a strategy that lets a removed member stay in some fork costs. Messages are told apart by
// their encoding; identities are credential identities.
#pragma once

#include <cstddef>
#include <map>
#include <set>

#include "models/dmls/dmls_message.hpp"
#include "models/dmls/epoch_tree.hpp"

namespace dmlssim::models::dmls {

class ReadAudit {
 public:
  // `message` was sent while the room's members were `members`.
  void sent(const DmlsMessage& message, const Identities& members);
  // The device of `reader` decrypted `message` (a message never sent() counts as not audited).
  void read(const DmlsMessage& message, const Bytes& reader);

  std::size_t reads() const { return reads_; }
  // Distinct (message, reader) pairs the membership did not allow.
  std::size_t unauthorized_reads() const { return unauthorized_.size(); }

 private:
  static Bytes key_of(const DmlsMessage& message);
  std::map<Bytes, Identities, mls::BytesLess> members_at_send_;  // by message key
  std::size_t reads_ = 0;
  std::set<std::pair<Bytes, Bytes>> unauthorized_;
};

}  // namespace dmlssim::models::dmls
