// A room under construction for tests: events built as a homeserver builds them (auth events
// from the state before, reference-hash IDs), on any set of prev events.
#pragma once

#include <string>
#include <vector>

#include "models/matrix/auth_rules.hpp"
#include "models/matrix/event_builder.hpp"
#include "models/matrix/state_history.hpp"

namespace dmlssim::testing {

namespace mx = models::matrix;

class RoomFixture {
 public:
  explicit RoomFixture(const mx::RoomVersion& version, std::string creator = "@alice:a.example",
                       nlohmann::json create_content = nlohmann::json::object())
      : store_(version), history_(store_) {
    if (!version.creator_is_create_sender) create_content["creator"] = creator;
    create_ = add_after({}, creator, "m.room.create", "", create_content);
  }

  mx::EventStore& store() { return store_; }
  mx::StateHistory& history() { return history_; }
  mx::EventIndex create() const { return create_; }
  mx::EventIndex tip() const { return tip_; }

  // The event `sender` would build on `prev` (not stored).
  mx::EventSpec build(const std::vector<mx::EventIndex>& prev, const std::string& sender,
                      const std::string& type, std::optional<std::string> state_key,
                      nlohmann::json content) {
    const mx::StateMap before = history_.state_after_all(prev);
    mx::NewEvent e{type, std::move(state_key), sender, std::move(content), ++clock_, prev};
    return mx::build_event(store_, before, e, "!room:a.example");
  }

  // Stores the event built on `prev` and makes it the tip.
  mx::EventIndex add_after(const std::vector<mx::EventIndex>& prev, const std::string& sender,
                           const std::string& type, std::optional<std::string> state_key,
                           nlohmann::json content = nlohmann::json::object()) {
    tip_ = store_.add(build(prev, sender, type, std::move(state_key), std::move(content)));
    return tip_;
  }
  // On top of the current tip.
  mx::EventIndex add(const std::string& sender, const std::string& type,
                     std::optional<std::string> state_key,
                     nlohmann::json content = nlohmann::json::object()) {
    return add_after({tip_}, sender, type, std::move(state_key), std::move(content));
  }
  mx::EventIndex join(const std::string& user) {
    return add(user, "m.room.member", user, {{"membership", "join"}});
  }
  mx::EventIndex member(const std::string& sender, const std::string& target,
                        const std::string& membership) {
    return add(sender, "m.room.member", target, {{"membership", membership}});
  }

  // The verdict of the auth rules on `e` (already stored) against the state before it.
  mx::AuthVerdict check(mx::EventIndex e) {
    const mx::StateMap& before = history_.state_before(e);
    const mx::AuthState state = mx::auth_state_from(
        store_, store_[e], [&](mx::StateKeyId k) { return mx::state_lookup(before, k); });
    return mx::check_auth_rules(store_, store_[e], state);
  }
  // Stores an event on the tip without making it the tip and returns the verdict on it.
  mx::AuthVerdict try_event(const std::string& sender, const std::string& type,
                            std::optional<std::string> state_key, nlohmann::json content) {
    const mx::EventIndex e =
        store_.add(build({tip_}, sender, type, std::move(state_key), std::move(content)));
    return check(e);
  }
  mx::AuthVerdict try_member(const std::string& sender, const std::string& target,
                             const std::string& membership) {
    return try_event(sender, "m.room.member", target, {{"membership", membership}});
  }

 private:
  mx::EventStore store_;
  mx::StateHistory history_;
  mx::EventIndex create_ = mx::kNoEvent;
  mx::EventIndex tip_ = mx::kNoEvent;
  std::int64_t clock_ = 1'700'000'000'000;
};

}  // namespace dmlssim::testing
