// An encrypted room on a small federation for device tests: every device behind a 20 ms client
// hop, commits processed as they sync (first seen, the fates recorded), fast crypto.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "models/device/encrypted_room.hpp"
#include "tests/models/matrix/federation_fixture.hpp"

namespace dmlssim::testing {

struct EncryptedWorld {
  // Two devices per user unless `c` says otherwise.
  // `hop`: the client hop's one-way delay in seconds, drawn per message.
  explicit EncryptedWorld(std::size_t servers = 3, std::uint32_t users = 2,
                          models::device::EncryptedRoomConfig c = config(),
                          sim::Distribution hop = sim::Distribution::constant(0.02),
                          std::uint64_t seed = 1)
      : w(servers, users),
        links(w.sim, w.network.reachability(), std::move(hop),
              sim::RandomStream(seed, 0, "client")),
        room(w.sim, *w.federation, links, sync, std::move(c), seed, 0) {
    room.start();
    room.commit_synced.connect([this](models::device::DeviceIndex d, models::matrix::EventIndex e) {
      fates.push_back(room.process_commit(d, e));
    });
  }
  static models::device::EncryptedRoomConfig config() {
    models::device::EncryptedRoomConfig c;
    c.devices_per_user = 2;
    c.group.crypto = &models::mls::fast_crypto();
    return c;
  }
  void run_for(double seconds) {
    w.sim.run_until(w.sim.now() + sim::SimTime::from_seconds(seconds));
  }
  std::size_t user_index(const std::string& user_id) const {
    for (std::size_t u = 0; u < w.room.users().size(); ++u)
      if (w.room.users()[u].user_id == user_id) return u;
    FAIL("no user " << user_id);
    return 0;
  }

  FederationWorld w;
  sim::ClientLinks links;
  models::device::ClientSync sync{*w.federation, links};
  models::device::EncryptedRoom room;
  std::vector<models::device::CommitFate> fates;
};

}  // namespace dmlssim::testing
