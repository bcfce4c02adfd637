// A small DMLS world for tests: devices (device actors) of one DMLS group (fast crypto), each
// holding its epoch tree rooted in the same epoch; messages are delivered by hand, so tests decide
// who sees what when.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/dmls/epoch_tree.hpp"
#include "models/dmls/key_schedule.hpp"
#include "tests/models/mls/group_harness.hpp"

namespace dmlssim::testing {

namespace dmls = dmlssim::models::dmls;

struct DmlsWorld {
  // `tables`: the trees share it, as a run's trees do (null: each tree its own).
  explicit DmlsWorld(int devices = 4, std::uint8_t seed = 1, bool private_handshake = false,
                     std::shared_ptr<dmls::TreeTables> tables = nullptr)
      : h(
            [private_handshake] {
              mls::GroupConfig c;
              c.crypto = &mls::fast_crypto();
              c.successor_init = dmls::dmls_successor_init();
              c.private_handshake = private_handshake;
              return c;
            }(),
            seed) {
    for (const int i : h.found(devices))
      h.client(i).device.hold_as_tree(GroupHarness::kRoom, *h.config().crypto, tables);
    root = tree(0).root();
    count = devices;
  }
  // Device i's epoch tree (held by the device actor).
  dmls::EpochTree& tree(int i) { return *h.client(i).device.tree(GroupHarness::kRoom); }
  const dmls::EpochTree& tree(int i) const { return *h.client(i).device.tree(GroupHarness::kRoom); }
  mls::Bytes identity(int i) { return h.client(i).key_package.leaf_node.credential.identity; }
  // For fork choice: device i's server is side_of[i] (others have none).
  std::function<std::string(const mls::Bytes&)> servers(const std::vector<std::string>& side_of) {
    std::map<mls::Bytes, std::string, mls::BytesLess> server;
    for (std::size_t i = 0; i < side_of.size(); ++i)
      server[identity(static_cast<int>(i))] = side_of[i];
    return [server](const mls::Bytes& id) {
      const auto it = server.find(id);
      return it == server.end() ? std::string() : it->second;
    };
  }
  dmls::TreeEvents deliver(const dmls::DmlsMessage& m, int to) { return tree(to).receive(m); }
  // Delivers to each device in `to`; returns the epoch the last one created, if any.
  mls::Bytes deliver_all(const dmls::DmlsMessage& m, const std::vector<int>& to) {
    mls::Bytes child;
    for (const int i : to) {
      for (const dmls::TreeEvent& e : deliver(m, i)) {
        if (e.kind == dmls::TreeEvent::Kind::kEpochCreated) child = e.child;
      }
    }
    return child;
  }

  GroupHarness h;
  int count = 0;  // devices
  mls::Bytes root;
};

}  // namespace dmlssim::testing
