#include "scenarios/device_sessions.hpp"

namespace dmlssim::scenarios {

namespace dev = models::device;

DeviceSessions::DeviceSessions(dev::EncryptedRoom& room, sim::ClientLinks& links, bool sessions,
                               const sim::Distribution& online_time,
                               const sim::Distribution& offline_time, std::uint64_t seed,
                               std::uint64_t run, sim::SimTime end)
    : room_(room),
      links_(links),
      sim_(room.simulation()),
      online_time_(online_time),
      offline_time_(offline_time),
      end_(end) {
  users_.resize(room.federation().room().users().size());
  if (sessions) {
    const double p_online = online_time.mean() / (online_time.mean() + offline_time.mean());
    streams_.reserve(room.device_count());
    for (dev::DeviceIndex d = 0; d < room.device_count(); ++d) {
      streams_.emplace_back(seed, run, "clients/sessions/" + room.device(d).name());
      const bool online = streams_.back().uniform01() < p_online;
      if (!online) {
        links_.set_online(room.endpoint(d), false);
        ++offline_;
      }
      schedule(d, online);
    }
  }
  for (std::size_t u = 0; u < users_.size(); ++u) {
    users_[u].since = sim_.now();
    refresh(u);
  }
  room.epoch_changed.connect([this](dev::DeviceIndex d) { refresh(room_.user_of(d)); });
}

void DeviceSessions::schedule(dev::DeviceIndex d, bool online_now) {
  const sim::Distribution& period = online_now ? online_time_ : offline_time_;
  const sim::SimTime length = sim::SimTime::from_seconds(period.sample(streams_[d]));
  if (sim_.now() + length >= end_) return;
  sim_.schedule(length, [this, d, online_now] {
    ++switches_;
    links_.set_online(room_.endpoint(d), !online_now);
    offline_ = online_now ? offline_ + 1 : offline_ - 1;
    refresh(room_.user_of(d));
    schedule(d, !online_now);
    switched(d);
  });
}

void DeviceSessions::refresh(std::size_t user) {
  User& u = users_[user];
  const std::int64_t elapsed = (sim_.now() - u.since).ns();
  if (u.online > 0) u.online_ns += elapsed;
  if (u.can_send) u.send_ns += elapsed;
  u.since = sim_.now();
  u.online = 0;
  u.can_send = false;
  const dev::DeviceIndex first = room_.first_device(user);
  for (dev::DeviceIndex d = first; d < first + room_.device_count(user); ++d) {
    if (!room_.online(d)) continue;
    ++u.online;
    u.can_send = u.can_send || room_.group(d) != nullptr;
  }
}

void DeviceSessions::settle() {
  for (std::size_t u = 0; u < users_.size(); ++u)
    refresh(u);
}

double DeviceSessions::user_seconds(std::int64_t User::*field) {
  settle();
  double sum = 0;
  for (const User& u : users_)
    sum += static_cast<double>(u.*field) / 1e9;
  return sum;
}

}  // namespace dmlssim::scenarios
