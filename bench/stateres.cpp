// State resolution of a room split in two: a common history (create, power levels, public join
// rule, `--users` joins), then two branches of `--events`/2 events each with membership churn
// (joins, leaves, kicks, bans, unbans), power-level changes and topics on both sides, every event
// valid against its branch's state. Resolves the two tips' states `--repeat` times (one
// StateResolver, warm scratch space) and reports the median. Last line:
// "events=N conflicted=N full=N resolve_ms=X peak_rss_kb=N".
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <fstream>
#include <iostream>

#include "bench/bench_util.hpp"
#include "models/matrix/auth_rules.hpp"
#include "models/matrix/event_builder.hpp"
#include "models/matrix/state_resolution.hpp"
#include "models/matrix/stateres_cases.hpp"
#include "sim/random.hpp"

namespace {

namespace mx = dmlssim::models::matrix;

std::string user(std::size_t u) {
  return "@user" + std::to_string(u) + ":server" + std::to_string(u % 20) + ".example";
}

// One branch of the room: its tip and its running state.
struct Branch {
  mx::EventIndex tip = mx::kNoEvent;
  mx::StateMap state;
};

class SplitRoom {
 public:
  SplitRoom(const mx::RoomVersion& version, std::size_t users, std::uint64_t seed)
      : store_(version), random_(seed, 0, "bench_stateres"), users_(users) {}

  mx::EventStore& store() { return store_; }

  // Builds `e` on `b`; stores it and advances `b` only if `b`'s state allows it.
  bool append(Branch& b, std::string sender, std::string type, std::optional<std::string> key,
              nlohmann::json content) {
    mx::NewEvent e{std::move(type),    std::move(key), std::move(sender),
                   std::move(content), ++ts_,          {}};
    if (b.tip != mx::kNoEvent) e.prev_events.push_back(b.tip);
    const mx::EventSpec spec = mx::build_event(store_, b.state, e, "!bench:server0.example");
    const mx::EventIndex i = store_.add(spec);
    const mx::Event& ev = store_[i];
    const mx::AuthState auth = mx::auth_state_from(
        store_, ev, [&](mx::StateKeyId k) { return mx::state_lookup(b.state, k); });
    if (!mx::check_auth_rules(store_, ev, auth)) return false;
    b.tip = i;
    if (ev.key != mx::kNoStateKey) mx::state_set(b.state, ev.key, i);
    return true;
  }

  Branch common_history() {
    Branch b;
    const bool v12 = store_.version().creators_infinite;
    nlohmann::json create = nlohmann::json::object();
    if (!store_.version().creator_is_create_sender) create["creator"] = user(0);
    append(b, user(0), "m.room.create", "", create);
    append(b, user(0), "m.room.member", user(0), {{"membership", "join"}});
    append(b, user(0), "m.room.power_levels", "", power_levels(v12));
    append(b, user(0), "m.room.join_rules", "", {{"join_rule", "public"}});
    for (std::size_t u = 1; u < users_; ++u) {
      append(b, user(u), "m.room.member", user(u), {{"membership", "join"}});
    }
    return b;
  }

  // Moderators user1..user9 at 50, admins user10..user14 at 100 (and the creator).
  nlohmann::json power_levels(bool v12, std::size_t churn = 0) {
    nlohmann::json users = nlohmann::json::object();
    if (!v12) users[user(0)] = 100;
    for (std::size_t u = 1; u < 15 && u < users_; ++u)
      users[user(u)] = u < 10 ? 50 : 100;
    // Churn: a rotating moderator is promoted; keeps every PL event distinct.
    if (churn > 0) users[user(15 + churn % std::max<std::size_t>(1, users_ - 15))] = 50;
    return {{"users", users}, {"users_default", 0}};
  }

  // One random valid action on `b`.
  void churn(Branch& b) {
    for (int attempt = 0; attempt < 16; ++attempt) {
      const std::size_t who = random_.uniform_index(users_);
      const std::size_t target = 15 + random_.uniform_index(users_ > 15 ? users_ - 15 : 1);
      const std::size_t moderator = random_.uniform_index(15);
      bool ok = false;
      switch (random_.uniform_index(10)) {
        case 0:
        case 1:
          ok = append(b, user(who), "m.room.member", user(who), {{"membership", "leave"}});
          break;
        case 2:
        case 3:
          ok = append(b, user(who), "m.room.member", user(who), {{"membership", "join"}});
          break;
        case 4:
          ok = append(b, user(moderator), "m.room.member", user(target), {{"membership", "leave"}});
          break;
        case 5:
          ok = append(b, user(moderator), "m.room.member", user(target), {{"membership", "ban"}});
          break;
        case 6:
          ok =
              append(b, user(moderator), "m.room.member", user(target), {{"membership", "invite"}});
          break;
        case 7:
          ok = append(b, user(moderator), "m.room.power_levels", "",
                      power_levels(store_.version().creators_infinite, ++pl_churn_));
          break;
        case 8:
          ok = append(b, user(moderator), "m.room.topic", "",
                      {{"topic", "topic " + std::to_string(ts_)}});
          break;
        default:
          ok = append(b, user(who), "m.room.message", std::nullopt,
                      {{"body", "message " + std::to_string(ts_)}});
          break;
      }
      if (ok) return;
    }
  }

 private:
  mx::EventStore store_;
  dmlssim::sim::RandomStream random_;
  std::size_t users_;
  std::int64_t ts_ = 1'700'000'000'000;
  std::size_t pl_churn_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  std::size_t events = 10'000, users = 0, repeat = 9;
  std::string version_id = "12", dump;
  std::uint64_t seed = 1;
  po::options_description opts("stateres options");
  opts.add_options()("help", "show this help")("events", po::value(&events)->default_value(events),
                                               "events in the whole DAG (about)")(
      "users", po::value(&users)->default_value(users), "room members (0: events / 10)")(
      "room-version", po::value(&version_id)->default_value(version_id), "10, 11 or 12")(
      "repeat", po::value(&repeat)->default_value(repeat), "resolutions timed (median reported)")(
      "seed", po::value(&seed)->default_value(seed), "random seed")(
      "dump", po::value(&dump), "write the resolution as a matrix-stateres-cases/1 file");
  po::variables_map vm;
  int code = 0;
  if (!dmlssim::bench::parse_bench_options(argc, argv, opts, vm, code)) return code;
  const mx::RoomVersion* version = mx::find_room_version(version_id);
  if (version == nullptr || version->redaction == mx::RedactionRules::kNone) {
    std::cerr << "--room-version: expected 10, 11 or 12\n";
    return 2;
  }
  if (users == 0) users = std::max<std::size_t>(20, events / 10);

  const auto build_start = std::chrono::steady_clock::now();
  SplitRoom room(*version, users, seed);
  Branch a = room.common_history();
  Branch b = a;
  while (room.store().size() < events) {
    room.churn(a);
    room.churn(b);
  }
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();

  mx::StateResolver resolver(room.store());
  const mx::StateMap* states[] = {&a.state, &b.state};
  mx::ResolutionStats stats;
  mx::StateMap result;
  std::vector<double> ms;
  for (std::size_t r = 0; r < std::max<std::size_t>(1, repeat); ++r) {
    const auto start = std::chrono::steady_clock::now();
    result = resolver.resolve(states, {}, &stats);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  if (!dump.empty()) {
    std::ofstream out(dump);
    nlohmann::json cases = nlohmann::json::array();
    cases.push_back(mx::state_sets_case(room.store(), states, result, "dmlssim/bench_stateres",
                                        "two-branch split with membership and power churn"));
    out << mx::cases_document(cases).dump(1) << "\n";
  }
  std::cout << "room version " << version->id << ", " << room.store().size() << " events (" << users
            << " users), built in " << build_s << " s\n"
            << "conflicted " << stats.conflicted << ", auth difference " << stats.auth_difference
            << ", subgraph " << stats.subgraph << ", full conflicted set " << stats.full_conflicted
            << "; power pass " << stats.power_sorted << ", mainline pass " << stats.mainline_sorted
            << "\nresolve: median " << median << " ms, min " << ms.front() << " ms, max "
            << ms.back() << " ms over " << ms.size() << " runs\n";
  std::cout << "events=" << room.store().size() << " conflicted=" << stats.conflicted
            << " full=" << stats.full_conflicted << " resolve_ms=" << median
            << " peak_rss_kb=" << dmlssim::bench::peak_rss_kb() << "\n";
  return 0;
}
