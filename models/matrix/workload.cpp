#include "models/matrix/workload.hpp"

namespace dmlssim::models::matrix {

Workload::Workload(sim::Simulation& sim, Federation& federation, WorkloadConfig config,
                   std::vector<std::size_t> privileged, std::vector<std::size_t> admins,
                   std::uint64_t seed, std::uint64_t run)
    : sim_(sim),
      federation_(federation),
      config_(config),
      privileged_(std::move(privileged)),
      admins_(std::move(admins)) {
  const std::size_t users = federation_.room().users().size();
  auto add = [&](std::string kind, double rate, std::function<void(sim::RandomStream&)> act) {
    if (rate <= 0) return;
    processes_.push_back(
        Process{kind, rate, sim::RandomStream(seed, run, "workload/" + kind), std::move(act)});
  };
  add("message", config_.messages_per_user * static_cast<double>(users) + config_.messages_per_room,
      [this](sim::RandomStream& rng) {
        // A user who has left (as their own server sees it) has nothing to send into: the draw
        // goes to a user who is joined.
        const std::vector<std::size_t>& joined = self_joined_users();
        if (joined.empty()) return;
        const std::size_t u = joined[rng.uniform_index(joined.size())];
        if (message_sender_) {
          const char* refused = message_sender_(u);
          if (*refused == '\0') {
            ++counts_.sent["message"];
          } else {
            ++counts_.refused[{"message", refused}];
          }
          if (observer_) observer_(WorkloadAction{sim_.now(), u, "message", kNoEvent, refused});
          return;
        }
        send("message", u, "m.room.message", std::nullopt,
             {{"msgtype", "m.text"}, {"body", "message " + std::to_string(++message_counter_)}});
      });
  add("topic", config_.topics, [this](sim::RandomStream& rng) {
    if (privileged_.empty()) return;
    const std::size_t u = privileged_[rng.uniform_index(privileged_.size())];
    send("topic", u, "m.room.topic", "",
         {{"topic", "topic " + std::to_string(++message_counter_)}});
  });
  std::size_t non_resident = 0;
  for (std::size_t u = 0; u < users; ++u)
    non_resident += is_resident(u) ? 0 : 1;
  add("membership",
      config_.membership_per_user * static_cast<double>(non_resident) + config_.membership_per_room,
      [this](sim::RandomStream& rng) {
        const std::size_t u = random_non_resident(rng);
        if (u == SIZE_MAX) return;
        const RoomUser& user = federation_.room().users()[u];
        const bool joined = membership_seen_by(u, u) == Membership::kJoin;
        send(joined ? "leave" : "join", u, "m.room.member", user.user_id,
             {{"membership", joined ? "leave" : "join"}});
      });
  add("invite", config_.invites, [this, users](sim::RandomStream& rng) {
    // The inviter is a random user their server sees as joined; the invitee a random user that
    // server sees as neither joined nor invited.
    const std::vector<std::size_t>& joined = self_joined_users();
    std::vector<std::size_t> outside;
    if (joined.empty()) return;
    const std::size_t inviter = joined[rng.uniform_index(joined.size())];
    for (std::size_t u = 0; u < users; ++u) {
      const Membership m = membership_seen_by(inviter, u);
      if (m != Membership::kJoin && m != Membership::kInvite) outside.push_back(u);
    }
    if (outside.empty()) return;
    const std::size_t invitee = outside[rng.uniform_index(outside.size())];
    send("invite", inviter, "m.room.member", federation_.room().users()[invitee].user_id,
         {{"membership", "invite"}});
  });
  add("kick", config_.kicks, [this](sim::RandomStream& rng) {
    if (privileged_.empty()) return;
    const std::size_t actor = privileged_[rng.uniform_index(privileged_.size())];
    const std::size_t target = random_non_resident(rng);
    if (target == SIZE_MAX || target == actor) return;
    send("kick", actor, "m.room.member", federation_.room().users()[target].user_id,
         {{"membership", "leave"}});
  });
  add("ban", config_.bans, [this](sim::RandomStream& rng) {
    if (privileged_.empty()) return;
    const std::size_t actor = privileged_[rng.uniform_index(privileged_.size())];
    const std::size_t target = random_non_resident(rng);
    if (target == SIZE_MAX || target == actor) return;
    const bool banned = membership_seen_by(actor, target) == Membership::kBan;
    send(banned ? "unban" : "ban", actor, "m.room.member",
         federation_.room().users()[target].user_id, {{"membership", banned ? "leave" : "ban"}});
  });
  add("power_levels", config_.power_changes, [this, users](sim::RandomStream& rng) {
    if (admins_.empty()) return;
    const std::size_t actor = admins_[rng.uniform_index(admins_.size())];
    const std::size_t target = rng.uniform_index(users);
    const RoomUser& a = federation_.room().users()[actor];
    // Toggle the target between 0 and 50 on top of the power levels the admin's server sees.
    const EventStore& store = federation_.room().store();
    const EventIndex pl =
        state_lookup(federation_.server(a.server).current_state(), store.power_levels_key());
    nlohmann::json content = pl != kNoEvent ? store[pl].content : nlohmann::json::object();
    if (!content.is_object()) content = nlohmann::json::object();
    nlohmann::json& listed = content["users"];
    if (!listed.is_object()) listed = nlohmann::json::object();
    const std::string& t = federation_.room().users()[target].user_id;
    if (listed.contains(t) && listed[t].is_number_integer() &&
        listed[t].get<std::int64_t>() >= 50) {
      listed.erase(t);
    } else {
      listed[t] = 50;
    }
    send("power_levels", actor, "m.room.power_levels", "", std::move(content));
  });
}

bool Workload::is_resident(std::size_t user) const {
  const std::string& id = federation_.room().users()[user].user_id;
  return id.rfind("@u0:", 0) == 0;
}

std::size_t Workload::random_non_resident(sim::RandomStream& rng) const {
  const std::size_t users = federation_.room().users().size();
  for (int attempt = 0; attempt < 64; ++attempt) {
    const std::size_t u = rng.uniform_index(users);
    if (!is_resident(u)) return u;
  }
  return SIZE_MAX;
}

const std::vector<std::size_t>& Workload::self_joined_users() {
  const RoomWorld& room = federation_.room();
  const std::size_t users = room.users().size();
  if (self_joined_.size() != users) {
    self_joined_.assign(users, false);
    views_.assign(federation_.server_count(), ServerView{});
    users_of_server_.assign(federation_.server_count(), {});
    for (std::size_t u = 0; u < users; ++u)
      users_of_server_[room.users()[u].server].push_back(u);
  }
  // Only servers whose current state changed since the last call are looked at again.
  for (sim::NodeId s = 0; s < views_.size(); ++s) {
    const SharedState& state = federation_.server(s).shared_current_state();
    if (views_[s].seen && views_[s].state == state) continue;
    views_[s].seen = true;
    views_[s].state = state;
    for (const std::size_t u : users_of_server_[s])
      self_joined_[u] = membership_seen_by(u, u) == Membership::kJoin;
  }
  joined_scratch_.clear();
  for (std::size_t u = 0; u < users; ++u) {
    if (self_joined_[u]) joined_scratch_.push_back(u);
  }
  return joined_scratch_;
}

Membership Workload::membership_seen_by(std::size_t user, std::size_t target) const {
  const RoomWorld& room = federation_.room();
  const StateMap& state = federation_.server(room.users()[user].server).current_state();
  const EventIndex m = state_lookup(state, room.users()[target].member_key);
  return m == kNoEvent ? Membership::kNone : room.store()[m].membership;
}

void Workload::start() {
  for (std::size_t p = 0; p < processes_.size(); ++p)
    schedule_next(p);
  for (const WorkloadConfig::Dated& action : config_.dated)
    sim_.schedule_at(action.at, [this, action] { act(action); });
}

void Workload::act(const WorkloadConfig::Dated& a) {
  using Kind = WorkloadConfig::Dated::Kind;
  const std::vector<RoomUser>& users = federation_.room().users();
  switch (a.kind) {
    case Kind::kKick:
      send("kick", a.actor, "m.room.member", users[a.target].user_id, {{"membership", "leave"}});
      break;
    case Kind::kBan:
      send("ban", a.actor, "m.room.member", users[a.target].user_id, {{"membership", "ban"}});
      break;
    case Kind::kUnban:
      send("unban", a.actor, "m.room.member", users[a.target].user_id, {{"membership", "leave"}});
      break;
    case Kind::kLeave:
      send("leave", a.actor, "m.room.member", users[a.actor].user_id, {{"membership", "leave"}});
      break;
    case Kind::kJoin:
      send("join", a.actor, "m.room.member", users[a.actor].user_id, {{"membership", "join"}});
      break;
  }
}

void Workload::schedule_next(std::size_t p) {
  Process& process = processes_[p];
  const double gap_s = process.rng.exponential(1.0 / process.rate);
  const sim::SimTime at = std::max(sim_.now(), config_.start) + sim::SimTime::from_seconds(gap_s);
  if (at >= config_.stop) return;
  sim_.schedule_at(at, [this, p] {
    processes_[p].act(processes_[p].rng);
    schedule_next(p);
  });
}

void Workload::send(const std::string& kind, std::size_t user, const std::string& type,
                    std::optional<std::string> state_key, nlohmann::json content) {
  const RoomUser& u = federation_.room().users()[user];
  const Homeserver::SendResult r =
      federation_.send(u.server, u.user_id, type, std::move(state_key), std::move(content));
  if (r.event != kNoEvent) {
    ++counts_.sent[kind];
  } else {
    ++counts_.refused[{kind, r.refused}];
  }
  if (observer_) observer_(WorkloadAction{sim_.now(), user, kind.c_str(), r.event, r.refused});
}

}  // namespace dmlssim::models::matrix
