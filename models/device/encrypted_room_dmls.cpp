// DMLS in an encrypted room: every device holds an epoch tree; commits on any retained epoch fork
// it, application messages name their epoch (DMLSMessage) and wait for it when it is not reached
// yet; retention forgets old epochs. See encrypted_room.hpp.
#include <algorithm>
#include <limits>

#include "models/device/encrypted_room.hpp"
#include "models/mls/key_package.hpp"

namespace dmlssim::models::device {
namespace {

UnreadableCause cause_of(dmls::Undecryptable cause) {
  switch (cause) {
    case dmls::Undecryptable::kEpochDeleted:
      return UnreadableCause::kEpochDeleted;
    case dmls::Undecryptable::kEpochNeverReached:
      return UnreadableCause::kEpochNeverReached;
    case dmls::Undecryptable::kKeyConsumed:
      return UnreadableCause::kKeyConsumed;
    case dmls::Undecryptable::kKeyTooOld:
      return UnreadableCause::kKeyTooOld;
    case dmls::Undecryptable::kKeyTooFarAhead:
      return UnreadableCause::kKeyTooFarAhead;
    case dmls::Undecryptable::kRejected:
      return UnreadableCause::kOther;
  }
  return UnreadableCause::kOther;
}

std::uint64_t serial_of(const mls::Bytes& plaintext) {
  std::uint64_t serial = 0;
  for (std::size_t i = 0; i < 8 && i < plaintext.size(); ++i)
    serial |= static_cast<std::uint64_t>(plaintext[i]) << (8 * i);
  return serial;
}

}  // namespace

void EncryptedRoom::receive_dmls_application(DeviceIndex d, const MlsEvent& ev) {
  dmls::EpochTree* t = mutable_tree(d);
  if (t == nullptr) {
    ledger_.unreadable(ev.ledger_index, d, UnreadableCause::kNotAMember);
    return;
  }
  t->set_now(sim_.now());
  // What expired meanwhile is gone before it is looked at.
  const bool retention_looked = after_tree_change(d, false);
  const dmls::TreeEvents events = t->receive(ev.dmls);
  note_read_lines(d);
  apply_tree_events(d, events, ev.ledger_index);
  // Held for an epoch whose commit the device can never process: unreadable for that reason.
  // (The slot is looked at only then: it is a cold line.)
  if (events.front().kind == dmls::TreeEvent::Kind::kBuffered) {
    const auto dead = devices_[d].dead_commits.find(ev.epoch_commit);
    if (dead != devices_[d].dead_commits.end()) {
      ledger_.unreadable(ev.ledger_index, d, dead->second);
    } else {
      need_commit(d, ev.epoch_commit);
    }
  }
  // A released commit may have moved its head, retention may have forgotten it (a message read
  // changes neither).
  const bool epochs_moved = std::any_of(events.begin(), events.end(), [](const dmls::TreeEvent& e) {
    return e.kind == dmls::TreeEvent::Kind::kEpochCreated ||
           e.kind == dmls::TreeEvent::Kind::kRemoved;
  });
  if (retention_looked || epochs_moved) refresh_epoch(d);
}

void EncryptedRoom::apply_tree_events(DeviceIndex d, const dmls::TreeEvents& events,
                                      std::uint32_t message) {
  HeldMessages* held = nullptr;
  const auto held_list = [&]() -> HeldMessages& {
    if (held == nullptr) held = &buffered_[d];
    return *held;
  };
  // The first event answers the message handed in; later ones are messages it released.
  for (std::size_t i = 0; i < events.size(); ++i) {
    const dmls::TreeEvent& event = events[i];
    const bool direct = i == 0 && message != UINT32_MAX;
    switch (event.kind) {
      case dmls::TreeEvent::Kind::kApplication: {
        // The message handed in, or a released one: found by its plaintext's serial (a direct
        // read need not touch the plaintext).
        std::uint32_t m = message;
        if (!direct) {
          const std::uint64_t serial = serial_of(*event.received.application_data);
          m = serial < ledger_of_serial_.size() ? ledger_of_serial_[serial] : UINT32_MAX;
        }
        if (m == UINT32_MAX) break;
        ledger_.read(m, d, sim_.now());
        if (!direct) held_list().take_message(m);
        break;
      }
      case dmls::TreeEvent::Kind::kBuffered:
        if (direct) held_list().push(event.epoch, message);
        break;
      case dmls::TreeEvent::Kind::kUndecryptable: {
        if (direct) {
          ledger_.unreadable(message, d, cause_of(event.cause));
          break;
        }
        // A released message: the oldest one held for that epoch.
        if (const auto m = held_list().take_oldest_of(event.epoch))
          ledger_.unreadable(*m, d, cause_of(event.cause));
        break;
      }
      case dmls::TreeEvent::Kind::kEpochCreated: {
        if (direct) break;
        // A released commit: the device's oldest commit waiting on that epoch (the tree
        // releases them in the order they came). The room learns which commit made the epoch;
        // one extending the device's head moves it along.
        const matrix::EventIndex c = take_waiting_commit(d, event.epoch);
        if (c != matrix::kNoEvent) commit_of_epoch_.emplace(event.child, c);
        if (event.epoch == devices_[d].head) {
          devices_[d].head = event.child;
          devices_[d].epoch_commit = commit_of_epoch(event.child);
        }
        break;
      }
      case dmls::TreeEvent::Kind::kRemoved:
        // A released commit removing the device (one processed directly is handled by
        // process_dmls_commit): no future on that fork.
        if (direct) break;
        take_waiting_commit(d, event.epoch);
        devices_[d].close(event.epoch);
        if (event.epoch == devices_[d].head) devices_[d].removed_on_head = true;
        break;
      default:
        break;
    }
  }
  if (held != nullptr && held->empty()) buffered_.erase(d);
}

matrix::EventIndex EncryptedRoom::take_waiting_commit(DeviceIndex d, const mls::Bytes& epoch) {
  auto& waiting = devices_[d].waiting_commits;
  const auto it = std::find_if(waiting.begin(), waiting.end(), [&](matrix::EventIndex w) {
    return mls_events_[w]->dmls->dmls_epoch == epoch;
  });
  if (it == waiting.end()) return matrix::kNoEvent;
  const matrix::EventIndex c = *it;
  waiting.erase(it);
  return c;
}

CommitFate EncryptedRoom::process_dmls_commit(DeviceIndex d, matrix::EventIndex e,
                                              const MlsEvent& ev) {
  DeviceSlot& slot = devices_[d];
  dmls::EpochTree* t = mutable_tree(d);
  CommitFate fate = CommitFate::kNotAMember;
  if (t == nullptr) {
    if (slot.early_commits.size() < kEarlyCommitsKept) slot.early_commits.push_back(e);
  } else {
    t->set_now(sim_.now());
    after_tree_change(d, false);
    const dmls::TreeEvents events = t->receive(ev.dmls);
    note_read_lines(d);
    const dmls::TreeEvent& first = events.front();
    const bool on_head = first.epoch == slot.head;
    const bool resolves_head =
        std::find(ev.resolves.begin(), ev.resolves.end(), slot.head) != ev.resolves.end();
    // The heads a merge resolves are named in the event's content: the device knows them closed
    // as soon as it sees the event, whether or not it can process the commit yet (its epoch may
    // come later by backfill, or never, for a device the merge leaves out).
    for (const mls::Bytes& resolved : ev.resolves)
      slot.close(resolved);
    switch (first.kind) {
      case dmls::TreeEvent::Kind::kEpochCreated:
        fate = first.own_commit ? CommitFate::kOwnMerged
                                : (on_head ? CommitFate::kApplied : CommitFate::kForked);
        commit_of_epoch_.emplace(first.child, e);
        if (first.own_commit) {
          slot.dmls_pending = false;
          release_welcome(d, e);
        }
        // The device follows its own branch, and a merge of the branch it is on.
        if (on_head || first.own_commit || resolves_head) {
          slot.head = first.child;
          slot.removed_on_head = false;
          slot.epoch_commit = e;
        }
        break;
      case dmls::TreeEvent::Kind::kRemoved:
        fate = on_head ? CommitFate::kApplied : CommitFate::kForked;
        if (on_head || resolves_head) slot.removed_on_head = true;
        // The device has no future on that fork: the epoch is no candidate head any more.
        slot.close(first.epoch);
        break;
      case dmls::TreeEvent::Kind::kDuplicateCommit:
        fate = CommitFate::kStale;
        break;
      case dmls::TreeEvent::Kind::kBuffered: {
        fate = CommitFate::kBuffered;
        const auto dead = slot.dead_commits.find(ev.epoch_commit);
        if (dead != slot.dead_commits.end()) {
          mark_dead(d, e, dead->second);
        } else {
          slot.waiting_commits.push_back(e);
          need_commit(d, ev.epoch_commit);
          // A merge may wait for a head it carries instead: that head's commit, if known.
          for (const mls::Bytes& head : ev.resolves) {
            if (t->holds(head)) continue;
            const auto made = commit_of_epoch_.find(head);
            if (made != commit_of_epoch_.end()) need_commit(d, made->second);
          }
        }
        break;
      }
      case dmls::TreeEvent::Kind::kUndecryptable:
        fate = CommitFate::kRejected;
        mark_dead(d, e,
                  first.cause == dmls::Undecryptable::kEpochDeleted
                      ? UnreadableCause::kEpochDeleted
                      : UnreadableCause::kCommitRejected);
        break;
      default:
        fate = CommitFate::kRejected;
        break;
    }
    // What the commit released (messages and commits waiting for its epoch).
    apply_tree_events(d, dmls::TreeEvents(events.begin() + 1, events.end()), UINT32_MAX);
    after_tree_change(d, true);
    // A head closed by a merge the device cannot follow (yet, or ever: it was left out): no group
    // to send on there. It moves to an open head (the strategy's fork choice), or a Welcome
    // brings it in again.
    if (slot.closed.count(slot.head) != 0) slot.removed_on_head = true;
  }
  use_deferred_welcome(d);
  ++counts_.commit_fates[static_cast<int>(fate)];
  refresh_epoch(d);
  commit_processed(d, e, fate);
  return fate;
}

// Commit `e` can never be processed by d: neither can the commits waiting on its epoch, and the
// messages of those epochs held by d (they came first: backfilled history arrives late) are
// unreadable for the same reason.
void EncryptedRoom::mark_dead(DeviceIndex d, matrix::EventIndex e, UnreadableCause cause) {
  DeviceSlot& slot = devices_[d];
  std::vector<matrix::EventIndex> dead = {e};
  while (!dead.empty()) {
    const matrix::EventIndex c = dead.back();
    dead.pop_back();
    if (!slot.dead_commits.emplace(c, cause).second) continue;
    auto& waiting = slot.waiting_commits;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (mls_events_[*it]->epoch_commit == c) {
        dead.push_back(*it);
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    const auto held = buffered_.find(d);
    if (held == buffered_.end()) continue;
    held->second.for_each([&](std::uint32_t m) {
      if (mls_events_[ledger_.message(m).event]->epoch_commit == c) ledger_.unreadable(m, d, cause);
    });
  }
}

bool EncryptedRoom::after_tree_change(DeviceIndex d, bool epochs_changed) {
  dmls::EpochTree* t = mutable_tree(d);
  if (t == nullptr) return false;
  DeviceSlot& slot = devices_[d];
  // Under a window, nothing expires before the earliest superseded epoch's time is up: until
  // then (and while no epoch was added) there is nothing to look at.
  const bool window = config_.retention.rule == dmls::RetentionRule::kWindow;
  sim::SimTime& next_expiry = reading_[d].next_expiry;
  if (window && !epochs_changed && sim_.now() < next_expiry) return false;
  const bool forgot = !dmls::apply_retention(*t, config_.retention).empty();
  // Closed heads it held and forgot need no mark. (One it never held keeps its mark: its commit
  // may come after the merge that resolved it, by backfill, and must not reopen a fork.) Only
  // forgetting, or a head closed since the last look, makes such a mark: otherwise none is new.
  if (forgot || slot.closed_unswept) {
    for (auto it = slot.closed.begin(); it != slot.closed.end();) {
      it = t->holds(*it) || !t->knows(*it) ? std::next(it) : slot.closed.erase(it);
    }
    slot.closed_unswept = false;
  }
  if (!window) return true;
  const std::optional<sim::SimTime> earliest = t->earliest_superseded();
  next_expiry = earliest ? *earliest + config_.retention.window
                         : sim::SimTime::from_ns(std::numeric_limits<std::int64_t>::max());
  return true;
}

void EncryptedRoom::join_from_welcome(DeviceIndex d, const mls::Welcome& welcome) {
  Device& device = devices_[d].device;
  const std::string& room_id = federation_.room().room_id();
  dmls::EpochTree* t = config_.dmls ? mutable_tree(d) : nullptr;
  if (t == nullptr) {
    device.join_group(room_id, shared_group_config(), welcome);
    if (config_.dmls) {
      devices_[d].head = device.hold_as_tree(room_id, *config_.group.crypto, tree_tables_).root();
      devices_[d].removed_on_head = false;
    }
    note_crypto(d);
    return;
  }
  // A device that holds a tree already (removed on its branch, say) joins as a new root.
  for (const mls::EncryptedGroupSecrets& s : welcome.secrets) {
    const mls::KeyPackageSecrets* secrets = device.secrets_for(s.new_member);
    if (secrets == nullptr) continue;
    for (std::size_t i = 0; i < device.key_packages(); ++i) {
      const mls::KeyPackage& kp = device.key_package(i);
      if (mls::key_package_ref(kp) != s.new_member) continue;
      t->set_now(sim_.now());
      const dmls::TreeEvents events =
          t->join(shared_group_config(), welcome, kp, *secrets, device.drbg().fork());
      devices_[d].head = events.front().child;
      devices_[d].removed_on_head = false;
      reading_[d].next_expiry = sim::SimTime();  // look again at the next message
      const std::optional<mls::KeyPackage>& last = devices_[d].last_resort;
      const mls::Bytes ref = s.new_member;
      apply_tree_events(d, dmls::TreeEvents(events.begin() + 1, events.end()), UINT32_MAX);
      // Used: its private keys go (RFC 9420 §16.8), unless it is the last resort.
      if (!last || mls::key_package_ref(*last) != ref) device.forget_key_package(ref);
      return;
    }
  }
  throw std::invalid_argument(device.name() + ": the Welcome names none of its KeyPackages");
}

}  // namespace dmlssim::models::device
