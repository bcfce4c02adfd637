// Where the init_secret of an epoch's successor comes from: the one step of the key schedule that
// DMLS changes (draft-kohbrok-mls-dmls §4). RFC 9420 takes the epoch's init_secret whatever the
// commit; a variant derives one per successor from what the commit leads to, and may refuse a
// successor it derived before.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "models/mls/bytes.hpp"
#include "models/mls/crypto_provider.hpp"
#include "models/mls/key_schedule.hpp"

namespace dmlssim::models::mls {

class SuccessorInit {
 public:
  virtual ~SuccessorInit() = default;
  // The init_secret of the successor that `commit_secret` (Nh zero bytes without a path) and
  // `successor_context` (its encoded GroupContext) lead to, computed without giving anything up;
  // nullopt when this epoch can no longer derive it.
  virtual std::optional<Bytes> init_secret(const Bytes& commit_secret,
                                           const Bytes& successor_context) = 0;
  // The successor was accepted: what derived it is given up (called after init_secret for the
  // same arguments, once every check of the commit passed).
  virtual void taken(const Bytes& commit_secret, const Bytes& successor_context) = 0;
  // Secret bytes held to derive successors (forward-secrecy accounting).
  virtual std::size_t secret_bytes() const = 0;
};

// Makes an epoch's SuccessorInit from its secrets. Copies of one member's state in that epoch
// share the object, so a successor derived through any of them is given up for all.
using SuccessorInitFactory =
    std::function<std::shared_ptr<SuccessorInit>(const CryptoProvider&, const EpochSecrets&)>;

}  // namespace dmlssim::models::mls
