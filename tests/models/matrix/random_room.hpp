// Random room histories for property tests: several servers' branches grow concurrently from a
// common room, every event valid against the state before it (as an honest server builds it),
// branches merged now and then by events citing several tips. Membership, power-level, join-rule
// and topic churn make many keys conflict.
#pragma once

#include <string>
#include <vector>

#include "sim/random.hpp"
#include "tests/models/matrix/room_fixture.hpp"

namespace dmlssim::testing {

struct RandomRoomOptions {
  int users = 6;
  int branches = 3;
  int events = 80;
  double merge_probability = 0.1;
};

class RandomRoom {
 public:
  RandomRoom(const mx::RoomVersion& version, std::uint64_t seed, RandomRoomOptions options = {})
      : room_(version, user(0)), random_(seed, 0, "random_room"), options_(options) {
    room_.join(user(0));
    nlohmann::json users = nlohmann::json::object();
    if (!version.creators_infinite) users[user(0)] = 100;
    users[user(1)] = 100;
    users[user(2)] = 50;
    room_.add(user(0), "m.room.power_levels", "", {{"users", users}});
    room_.add(user(0), "m.room.join_rules", "", {{"join_rule", "public"}});
    for (int u = 1; u < options.users; ++u)
      room_.join(user(u));
    tips_.assign(static_cast<std::size_t>(options.branches), room_.tip());
    for (int i = 0; i < options.events; ++i)
      step();
  }

  RoomFixture& fixture() { return room_; }
  const std::vector<mx::EventIndex>& tips() const { return tips_; }
  static std::string user(int u) {
    return "@u" + std::to_string(u) + ":s" + std::to_string(u % 3) + ".example";
  }

 private:
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(random_.uniform_index(n)); }

  void step() {
    const std::size_t b = pick(tips_.size());
    std::vector<mx::EventIndex> prev{tips_[b]};
    if (random_.bernoulli(options_.merge_probability)) {
      const std::size_t other = pick(tips_.size());
      if (tips_[other] != tips_[b]) prev.push_back(tips_[other]);
    }
    // Try a few random actions; keep the first one the state before allows.
    for (int attempt = 0; attempt < 8; ++attempt) {
      const std::string sender = user(static_cast<int>(pick(options_.users)));
      const std::string target = user(static_cast<int>(pick(options_.users)));
      std::string type = "m.room.member";
      std::optional<std::string> state_key = target;
      nlohmann::json content;
      switch (pick(9)) {
        case 0:
          type = "m.room.message";
          state_key.reset();
          content = {{"body", "m" + std::to_string(counter_++)}};
          break;
        case 1:
          type = "m.room.topic";
          state_key = "";
          content = {{"topic", "t" + std::to_string(counter_++)}};
          break;
        case 2:
          content = {{"membership", "join"}};
          state_key = sender;
          break;
        case 3:
          content = {{"membership", "leave"}};
          break;
        case 4:
          content = {{"membership", "ban"}};
          break;
        case 5:
          content = {{"membership", "invite"}};
          break;
        case 6: {
          type = "m.room.power_levels";
          state_key = "";
          nlohmann::json users = nlohmann::json::object();
          for (int u = 0; u < options_.users; ++u) {
            if (u == 0 && room_.store().version().creators_infinite) continue;
            const std::int64_t levels[] = {0, 0, 50, 100};
            if (const std::int64_t l = levels[pick(4)]; l > 0) users[user(u)] = l;
          }
          content = {{"users", users}};
          break;
        }
        case 7:
          type = "m.room.join_rules";
          state_key = "";
          content = {{"join_rule", pick(2) == 0 ? "public" : "invite"}};
          break;
        default:
          type = "org.example.state";
          state_key = "k" + std::to_string(pick(3));
          content = {{"v", counter_++}};
          break;
      }
      const mx::EventSpec spec = room_.build(prev, sender, type, state_key, content);
      const mx::EventIndex e = room_.store().add(spec);
      if (room_.check(e)) {
        tips_[b] = e;
        return;
      }
      // Not allowed: the event stays in the store but nothing cites it (never sent).
    }
  }

  RoomFixture room_;
  sim::RandomStream random_;
  RandomRoomOptions options_;
  std::vector<mx::EventIndex> tips_;
  int counter_ = 0;
};

}  // namespace dmlssim::testing
