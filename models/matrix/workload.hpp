// What the room's users do: independent Poisson processes per kind of action, each drawing from
// its own random stream (workload/<kind>), so changing one rate never shifts the draws of the
// others. Every action goes through Federation::send and so through the auth rules at the
// sender's server; refused actions are counted by reason, never retried.
//
// User 0 of every server ("@u0:sN") is its resident: never leaves, never kicked or banned, so
// every server stays in the room (remote joins are not modelled).
#pragma once

#include <functional>
#include <map>
#include <string>

#include "models/matrix/federation.hpp"
#include "sim/simulation.hpp"

namespace dmlssim::models::matrix {

struct WorkloadConfig {
  // Rates in events per second.
  double messages_per_user = 0;    // m.room.message by a joined user (rate x all users)
  double messages_per_room = 0;    // ... added to the room's rate as it is
  double topics = 0;               // m.room.topic by a privileged user (room-wide rate)
  double membership_per_user = 0;  // a non-resident user leaves, or rejoins if they had left
  double membership_per_room = 0;  // ... added to the room's rate as it is
  double invites = 0;              // a joined user invites a random user who is not joined
  double kicks = 0;                // a privileged user kicks a random non-resident user
  double bans = 0;                 // ... bans them, or unbans them if banned
  double power_changes = 0;        // an admin toggles a random user between 0 and 50
  sim::SimTime start;              // first action no earlier than this
  sim::SimTime stop;               // no action at or after this
  // Actions at given times, beside the random ones (not bound by start and stop).
  struct Dated {
    enum class Kind : std::uint8_t { kKick, kBan, kUnban, kLeave, kJoin };
    sim::SimTime at;
    Kind kind = Kind::kKick;
    std::size_t actor = 0;   // user index (RoomWorld::users()); leave and join: the user
    std::size_t target = 0;  // kick, ban, unban: the user acted on
  };
  std::vector<Dated> dated;
};

// One line per action kind and outcome.
struct WorkloadCounts {
  std::map<std::string, std::uint64_t> sent;                             // by kind
  std::map<std::pair<std::string, std::string>, std::uint64_t> refused;  // by (kind, reason)
};

// One action, as it happened (for per-action tables).
struct WorkloadAction {
  sim::SimTime at;
  std::size_t user = 0;   // index into RoomWorld::users()
  const char* kind = "";  // "message", "topic", "join", ...
  EventIndex event = kNoEvent;
  const char* refused = "";  // why, when event is kNoEvent
};

class Workload {
 public:
  // `privileged`: user indices (into RoomWorld::users()) of the creator, admins and moderators;
  // `admins`: those allowed to change power levels (creator and admins).
  Workload(sim::Simulation& sim, Federation& federation, WorkloadConfig config,
           std::vector<std::size_t> privileged, std::vector<std::size_t> admins, std::uint64_t seed,
           std::uint64_t run);

  void start();
  const WorkloadConfig& config() const { return config_; }
  const WorkloadCounts& counts() const { return counts_; }
  // Who sends the messages: by default the user's server sends an m.room.message; an encrypted
  // room hands them to the user's devices instead. Returns "" when the message went out, or why
  // not (the action is counted as refused with that reason).
  using MessageSender = std::function<const char*(std::size_t user)>;
  void set_message_sender(MessageSender sender) { message_sender_ = std::move(sender); }
  // Called for every action, sent or refused.
  void set_action_observer(std::function<void(const WorkloadAction&)> observer) {
    observer_ = std::move(observer);
  }

 private:
  struct Process {
    std::string kind;
    double rate = 0;
    sim::RandomStream rng;
    std::function<void(sim::RandomStream&)> act;
  };
  void schedule_next(std::size_t p);
  void act(const WorkloadConfig::Dated& action);
  void send(const std::string& kind, std::size_t user, const std::string& type,
            std::optional<std::string> state_key, nlohmann::json content);
  Membership membership_seen_by(std::size_t user, std::size_t target) const;
  // The users joined as their own server sees it, ascending (valid until the next call).
  const std::vector<std::size_t>& self_joined_users();
  bool is_resident(std::size_t user) const;
  std::size_t random_non_resident(sim::RandomStream& rng) const;

  sim::Simulation& sim_;
  Federation& federation_;
  WorkloadConfig config_;
  std::vector<std::size_t> privileged_, admins_;
  std::vector<Process> processes_;
  WorkloadCounts counts_;
  std::uint64_t message_counter_ = 0;
  std::function<void(const WorkloadAction&)> observer_;
  MessageSender message_sender_;
  // self_joined_users' memory: per server the state its users' flags were read from.
  struct ServerView {
    bool seen = false;
    SharedState state;
  };
  std::vector<ServerView> views_;
  std::vector<std::vector<std::size_t>> users_of_server_;
  std::vector<bool> self_joined_;
  std::vector<std::size_t> joined_scratch_;
};

}  // namespace dmlssim::models::matrix
