// What a client that follows a room by /sync (ClientSync) is told: each event its server streams
// to it, when its batch arrives, and each change of its online state. `who` is the receiver's own
// name for the client, given at attach time (an index into its devices, say): the receiver is
// called without ClientSync touching any per-client object but its own follower entry.
#pragma once

#include <cstdint>

#include "models/matrix/event.hpp"
#include "sim/time.hpp"

namespace dmlssim::models::device {

class SyncReceiver {
 public:
  // An event arrived by sync at `at`, in the server's stream order.
  virtual void on_synced(std::uint32_t who, matrix::EventIndex event, sim::SimTime at) = 0;
  // The client went offline (what was on its way is lost) or came back online.
  virtual void on_online(std::uint32_t who, bool online) = 0;
  // A batch for `who` arrives `ahead` events from now (1 or 2): start loading what on_synced will
  // touch. Only reads: hints change no result.
  virtual void hint(std::uint32_t /*who*/, unsigned /*ahead*/) const {}

 protected:
  ~SyncReceiver() = default;
};

}  // namespace dmlssim::models::device
