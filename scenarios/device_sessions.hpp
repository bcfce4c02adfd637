// clients.online: sessions — every device of an encrypted room alternates online and offline
// periods, each drawn from its distribution on the device's own random stream
// ("clients/sessions/<device>"), so that every strategy sees the same sessions (common random
// numbers). A device starts online with probability E[online] / (E[online] + E[offline]) and its
// first period is a full draw. Offline, a device receives nothing and sends nothing; back online,
// it syncs what its server holds (models/device/client_sync.hpp).
//
// Also measures what users saw: the time each user had a device online, and could send (an
// online device holding an active group), integrated exactly over the run.
#pragma once

#include <memory>
#include <vector>

#include "models/device/encrypted_room.hpp"
#include "sim/client_links.hpp"
#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/signal.hpp"

namespace dmlssim::scenarios {

class DeviceSessions {
 public:
  // Takes the devices offline that start so and schedules every switch before `end`. With
  // `sessions` false every device stays online (only the availability is measured).
  DeviceSessions(models::device::EncryptedRoom& room, sim::ClientLinks& links, bool sessions,
                 const sim::Distribution& online_time, const sim::Distribution& offline_time,
                 std::uint64_t seed, std::uint64_t run, sim::SimTime end);

  // User-seconds with a device online, and able to send, up to now; over all users.
  double online_user_seconds() { return user_seconds(&User::online_ns); }
  double send_user_seconds() { return user_seconds(&User::send_ns); }
  std::uint64_t switches() const { return switches_; }
  // Devices offline now.
  std::uint32_t offline() const { return offline_; }
  // A device went offline or came back.
  sim::Signal<models::device::DeviceIndex> switched;

 private:
  // Times are summed per user in whole nanoseconds (exact, whatever order users change in).
  struct User {
    std::uint32_t online = 0;  // devices online
    bool can_send = false;
    sim::SimTime since;  // of the current can_send / online status
    std::int64_t online_ns = 0, send_ns = 0;
  };
  void schedule(models::device::DeviceIndex d, bool online_now);
  // Re-reads the user's status after one of its devices changed.
  void refresh(std::size_t user);
  void settle();  // integrates every user up to now
  double user_seconds(std::int64_t User::*field);

  models::device::EncryptedRoom& room_;
  sim::ClientLinks& links_;
  sim::Simulation& sim_;
  sim::Distribution online_time_, offline_time_;
  sim::SimTime end_;
  std::vector<sim::RandomStream> streams_;  // by device
  std::vector<User> users_;
  std::uint64_t switches_ = 0;
  std::uint32_t offline_ = 0;
};

}  // namespace dmlssim::scenarios
