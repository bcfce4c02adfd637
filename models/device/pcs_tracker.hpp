// Post-compromise security in an encrypted room: after an attacker obtains a device's state, how
// long until no device of the room is in an epoch the attacker can still derive?
//
// At the compromise the attacker holds the device's current epoch and, under DMLS, every epoch it
// retains. An epoch created by a commit from an epoch the attacker holds is held too — the
// attacker decrypts the path secret with the device's leaf and path keys — unless the commit
// replaced those keys: it removed the device, committed an Update of its leaf, re-added it, or
// was the device's own commit with a path (RFC 9420 §12.4.2, §16.6). Epochs are classified once,
// by epoch authenticator, when the first device enters them; an epoch whose creating commit no
// device processed (a Welcome-only entry) counts as clean. The compromise is healed when no
// device holding a group is in a held epoch; the PCS lag is the time from the compromise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "models/device/encrypted_room.hpp"

namespace dmlssim::models::device {

class PcsTracker {
 public:
  explicit PcsTracker(EncryptedRoom& room);

  // The attacker gets device d's state now (at most 64 compromises per run).
  void compromise(DeviceIndex d);
  struct Compromise {
    DeviceIndex device = 0;
    sim::SimTime at;
    std::optional<sim::SimTime> healed;  // first time no device was in a held epoch
  };
  const std::vector<Compromise>& compromises() const { return compromises_; }

 private:
  void on_epoch_changed(DeviceIndex d);
  // The compromises (bit mask) that can derive the epoch device d just entered.
  std::uint64_t classify(DeviceIndex d);
  void check_healed();

  EncryptedRoom& room_;
  std::vector<Compromise> compromises_;
  std::vector<mls::Bytes> identities_;  // of the compromised devices, by compromise
  // Every classified epoch -> the compromises holding it (0: clean); the held ones also listed
  // apart, for check_healed().
  std::map<mls::Bytes, std::uint64_t, mls::BytesLess> held_;
  std::vector<mls::Bytes> holding_;
  void hold(const mls::Bytes& epoch, std::uint64_t mask);
  std::vector<mls::Bytes> current_;  // each device's epoch, as last seen
};

}  // namespace dmlssim::models::device
