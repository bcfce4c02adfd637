// A small DMLS world for tests: devices of one DMLS group (fast crypto), each with its epoch tree
// rooted in the same epoch; messages are delivered by hand, so tests decide who sees what when.
#pragma once

#include <vector>

#include "models/dmls/epoch_tree.hpp"
#include "models/dmls/key_schedule.hpp"
#include "tests/models/mls/group_harness.hpp"

namespace dmlssim::testing {

namespace dmls = dmlssim::models::dmls;

struct DmlsWorld {
  explicit DmlsWorld(int devices = 4, std::uint8_t seed = 1, bool private_handshake = false)
      : h(
            [private_handshake] {
              mls::GroupConfig c;
              c.crypto = &mls::fast_crypto();
              c.successor_init = dmls::dmls_successor_init();
              c.private_handshake = private_handshake;
              return c;
            }(),
            seed) {
    std::vector<int> ids;
    for (int i = 0; i < devices; ++i)
      ids.push_back(h.new_client());
    h.create(ids[0]);
    mls::CommitOptions add;
    const std::vector<int> joiners(ids.begin() + 1, ids.end());
    for (const int j : joiners)
      add.by_value.push_back(mls::Proposal{mls::AddProposal{h.client(j).key_package}});
    h.commit(ids[0], add, joiners);
    for (const int i : ids)
      trees.emplace_back(*h.config().crypto, h.group(i));
    root = trees[0].root();
  }
  mls::Bytes identity(int i) { return h.client(i).key_package.leaf_node.credential.identity; }
  std::vector<dmls::TreeEvent> deliver(const dmls::DmlsMessage& m, int to) {
    return trees[to].receive(m);
  }
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
  std::vector<dmls::EpochTree> trees;
  mls::Bytes root;
};

}  // namespace dmlssim::testing
