#include "models/device/encrypted_room.hpp"

#include <utility>

#include "models/device/mls_room_events.hpp"
#include "models/mls/group_bootstrap.hpp"
#include "models/mls/wire_types.hpp"
#include "sim/prefetch.hpp"
#include "sim/random.hpp"

namespace dmlssim::models::device {
namespace {

// An HTTP request of the client-server API, beside its JSON body (PUT /rooms/{id}/send/...).
constexpr std::uint32_t kClientRequestOverhead = 300;

UnreadableCause cause_of(mls::Rejection reason, std::uint64_t message_epoch,
                         std::uint64_t device_epoch) {
  switch (reason) {
    case mls::Rejection::kWrongEpoch:
      return message_epoch < device_epoch ? UnreadableCause::kEpochDeleted
                                          : UnreadableCause::kEpochNeverReached;
    case mls::Rejection::kUndecryptable:  // the same epoch number on another fork
      return UnreadableCause::kEpochNeverReached;
    case mls::Rejection::kKeyConsumed:
      return UnreadableCause::kKeyConsumed;
    case mls::Rejection::kKeyTooOld:
      return UnreadableCause::kKeyTooOld;
    case mls::Rejection::kKeyTooFarAhead:
      return UnreadableCause::kKeyTooFarAhead;
    case mls::Rejection::kRemovedFromGroup:
    case mls::Rejection::kWrongGroup:
      return UnreadableCause::kNotAMember;
    default:
      return UnreadableCause::kOther;
  }
}

}  // namespace

const char* to_string(CommitFate fate) {
  switch (fate) {
    case CommitFate::kApplied:
      return "applied";
    case CommitFate::kOwnMerged:
      return "own_merged";
    case CommitFate::kStale:
      return "stale";
    case CommitFate::kRejected:
      return "rejected";
    case CommitFate::kNotAMember:
      return "not_a_member";
    case CommitFate::kForked:
      return "forked";
    case CommitFate::kBuffered:
      return "buffered";
  }
  return "?";
}

EncryptedRoom::EncryptedRoom(sim::Simulation& sim, matrix::Federation& federation,
                             sim::ClientLinks& links, ClientSync& sync, EncryptedRoomConfig config,
                             std::uint64_t seed, std::uint64_t run)
    : sim_(sim),
      federation_(federation),
      links_(links),
      sync_(sync),
      config_(std::move(config)),
      seed_(seed),
      run_(run) {
  // Every device verifies the same signatures and opens the same path ciphertexts: compute once.
  memo_crypto_ = std::make_unique<mls::MemoCrypto>(*config_.group.crypto);
  config_.group.crypto = memo_crypto_.get();
  const sim::ProtocolId protocol = links_.add_protocol(
      "client_send", [this](const sim::ClientMessage& m) { on_client_message(m); },
      [this](const sim::ClientMessage& m) { on_client_failure(m); });
  // Bytes on the client hop by what is sent: application messages and commits apart.
  send_class_ = links_.add_class(protocol, "client_send_message");
  commit_class_ = links_.add_class(protocol, "client_send_commit");
}

void EncryptedRoom::start() {
  const matrix::RoomWorld& world = federation_.room();
  const std::size_t users = world.users().size();
  std::vector<std::uint32_t> counts(users, config_.devices_per_user);
  if (config_.devices_per_user_max > config_.devices_per_user) {
    sim::RandomStream draw(seed_, run_, "devices");
    const std::uint64_t span = config_.devices_per_user_max - config_.devices_per_user + 1;
    for (std::uint32_t& c : counts)
      c += static_cast<std::uint32_t>(draw.uniform_index(span));
  }
  std::size_t total = 0;
  first_of_user_.assign(users + 1, 0);
  for (std::size_t u = 0; u < users; ++u) {
    first_of_user_[u] = static_cast<DeviceIndex>(total);
    total += counts[u];
  }
  first_of_user_[users] = static_cast<DeviceIndex>(total);
  devices_.reserve(total);  // ClientSync keeps their addresses
  mls::Drbg root(mls::to_bytes("devices/" + std::to_string(seed_) + "/" + std::to_string(run_)));
  for (std::size_t u = 0; u < users; ++u) {
    const matrix::RoomUser& user = world.users()[u];
    for (std::uint32_t k = 0; k < counts[u]; ++k) {
      devices_.emplace_back(
          Device(user.user_id, "D" + std::to_string(k), user.server, root.fork()));
      devices_.back().user = static_cast<std::uint32_t>(u);
      devices_.back().crypto = &devices_.back().device.room(world.room_id());
    }
  }
  reading_.assign(devices_.size(), ReadState{});
  for (DeviceIndex d = 0; d < devices_.size(); ++d) {
    device_by_name_.emplace(devices_[d].device.name(), d);
    devices_[d].endpoint =
        sync_.attach(devices_[d].device.homeserver(), devices_[d].device.online(), *this, d);
    device_of_endpoint_.emplace(devices_[d].endpoint, d);
    devices_[d].stock = config_.key_packages;
  }
  setup_adds();
  setup_media();
  if (config_.dmls) {
    setup_fetch();
  } else {
    setup_rejoin();
  }
  // Epoch 0: the devices of the users joined as the room starts, in device order.
  std::vector<DeviceIndex> members;
  std::vector<mls::Bytes> identities;
  for (DeviceIndex d = 0; d < devices_.size(); ++d) {
    const std::size_t u = user_of(d);
    if (!joined_in(federation_.server(world.users()[u].server).current_state(), u)) continue;
    members.push_back(d);
    identities.push_back(devices_[d].device.identity());
  }
  if (members.empty()) return;
  if (!config_.group.cache) config_.group.cache = std::make_shared<mls::EpochCache>();
  const mls::BootstrappedGroup boot =
      mls::bootstrap_group(*config_.group.crypto, mls::to_bytes(world.room_id()), identities, root);
  for (std::size_t leaf = 0; leaf < members.size(); ++leaf) {
    Device& device = devices_[members[leaf]].device;
    device.room(world.room_id()) = mls::Group::restore(
        shared_group_config(), boot, static_cast<mls::LeafIndex>(leaf), device.drbg().fork());
    if (config_.dmls) {
      devices_[members[leaf]].head =
          device.hold_as_tree(world.room_id(), *config_.group.crypto, tree_tables_).root();
    }
    note_crypto(members[leaf]);
    refresh_epoch(members[leaf]);
  }
}

void EncryptedRoom::refresh_epoch(DeviceIndex d) {
  const mls::Group* g = group(d);
  mls::Bytes key = g != nullptr ? g->epoch_authenticator() : mls::Bytes();
  mls::Bytes& held = devices_[d].epoch_key;
  if (key == held) return;
  if (!held.empty()) {
    const auto it = epoch_population_.find(held);
    if (--it->second == 0) epoch_population_.erase(it);
  }
  if (!key.empty()) ++epoch_population_[key];
  held = std::move(key);
  epoch_changed(d);
}

const std::shared_ptr<const mls::GroupConfig>& EncryptedRoom::shared_group_config() {
  if (!group_config_) group_config_ = std::make_shared<const mls::GroupConfig>(config_.group);
  return group_config_;
}

void EncryptedRoom::hint(DeviceIndex d, unsigned ahead) const {
  const ReadState& r = reading_[d];
  if (ahead >= 2) {
    sim::prefetch_bytes(&r, sizeof r);  // (may straddle two lines)
    return;
  }
  if (r.tree == nullptr) return;
  r.tree->prefetch();
  const dmls::EpochTree::ReadLines& lines = r.lines;
  if (lines.entry == nullptr) return;
  const auto* entry = static_cast<const char*>(lines.entry);
  sim::prefetch_bytes(entry,
                      static_cast<std::size_t>(static_cast<const char*>(lines.entry_end) - entry));
  sim::prefetch_bytes(lines.record, sim::kCacheLine);
}

void EncryptedRoom::note_crypto(DeviceIndex d) {
  reading_[d].group = std::get_if<mls::Group>(devices_[d].crypto);
  reading_[d].tree = std::get_if<dmls::EpochTree>(devices_[d].crypto);
}

mls::Group* EncryptedRoom::mutable_group(DeviceIndex d) {
  return reading_[d].group;
}

dmls::EpochTree* EncryptedRoom::mutable_tree(DeviceIndex d) {
  return reading_[d].tree;
}

const dmls::EpochTree* EncryptedRoom::tree(DeviceIndex d) const {
  return reading_[d].tree;
}

void EncryptedRoom::set_head(DeviceIndex d, const mls::Bytes& epoch) {
  const dmls::EpochTree* t = tree(d);
  if (t == nullptr || !t->holds(epoch))
    throw std::invalid_argument("EncryptedRoom::set_head: the device does not hold that epoch");
  if (devices_[d].head != epoch) devices_[d].removed_on_head = false;
  devices_[d].head = epoch;
  devices_[d].epoch_commit = commit_of_epoch(epoch);
  refresh_epoch(d);
}

std::vector<mls::Bytes> EncryptedRoom::open_heads(DeviceIndex d) const {
  std::vector<mls::Bytes> out;
  const dmls::EpochTree* t = tree(d);
  if (t == nullptr) return out;
  for (const mls::Bytes& h : t->heads()) {
    if (devices_[d].closed.count(h) == 0) out.push_back(h);
  }
  return out;
}

std::uint64_t EncryptedRoom::next_plaintext_serial(mls::Bytes& plaintext) {
  const auto serial = static_cast<std::uint64_t>(ledger_of_serial_.size());
  ledger_of_serial_.push_back(UINT32_MAX);
  for (std::size_t i = 0; i < 8 && i < plaintext.size(); ++i)
    plaintext[i] = static_cast<std::uint8_t>(serial >> (8 * i));
  return serial;
}

const mls::Group* EncryptedRoom::group(DeviceIndex d) const {
  if (config_.dmls) {
    const dmls::EpochTree* t = tree(d);
    if (t == nullptr || devices_[d].removed_on_head || !t->holds(devices_[d].head)) return nullptr;
    const mls::Group& g = t->group(devices_[d].head);
    return g.status() == mls::Group::Status::kActive ? &g : nullptr;
  }
  const mls::Group* g = reading_[d].group;
  return g != nullptr && g->status() == mls::Group::Status::kActive ? g : nullptr;
}

bool EncryptedRoom::joined_in(const matrix::StateMap& state, std::size_t user) const {
  const matrix::RoomWorld& world = federation_.room();
  const matrix::EventIndex m = matrix::state_lookup(state, world.users()[user].member_key);
  return m != matrix::kNoEvent && world.store()[m].membership == matrix::Membership::kJoin;
}

bool EncryptedRoom::joined_at_server(DeviceIndex d, std::size_t user) const {
  return joined_in(federation_.server(devices_[d].device.homeserver()).current_state(), user);
}

std::optional<DeviceIndex> EncryptedRoom::device_of_identity(const mls::Bytes& identity) const {
  const auto it = device_by_name_.find(
      std::string(reinterpret_cast<const char*>(identity.data()), identity.size()));
  if (it == device_by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<mls::LeafIndex> EncryptedRoom::leaves_to_remove(DeviceIndex d) const {
  std::vector<mls::LeafIndex> out;
  const mls::Group* g = group(d);
  if (g == nullptr) return out;
  const mls::RatchetTree& tree = g->public_state().tree;
  for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
    const mls::LeafNode* node = tree.leaf(leaf);
    if (node == nullptr) continue;
    const std::optional<DeviceIndex> member = device_of_identity(node->credential.identity);
    if (member && !joined_at_server(d, user_of(*member))) out.push_back(leaf);
  }
  return out;
}

std::vector<mls::Proposal> EncryptedRoom::removals_due(DeviceIndex d) const {
  std::vector<mls::Proposal> out;
  const mls::Group* g = group(d);
  for (const mls::LeafIndex leaf : leaves_to_remove(d)) {
    if (leaf != g->own_leaf()) out.push_back(mls::Proposal{mls::RemoveProposal{leaf}});
  }
  return out;
}

std::string EncryptedRoom::event_id(matrix::EventIndex e) const {
  return e == matrix::kNoEvent ? std::string() : federation_.room().store()[e].event_id;
}

EncryptedRoom::SendResult EncryptedRoom::send_message(std::size_t user) {
  bool any_online = false;
  for (std::uint32_t k = 0; k < device_count(user); ++k) {
    const DeviceIndex d = first_device(user) + k;
    if (!online(d)) continue;
    any_online = true;
    const mls::Group* g = group(d);
    if (g == nullptr) continue;
    mls::Bytes plaintext =
        devices_[d].device.drbg().bytes(std::max<std::uint32_t>(8, config_.plaintext_bytes));
    Outgoing out;
    out.from = d;
    out.serial = next_plaintext_serial(plaintext);
    out.epoch = g->epoch();
    if (config_.dmls) {
      dmls::EpochTree& t = *mutable_tree(d);
      t.set_now(sim_.now());
      out.dmls =
          std::make_shared<const dmls::SharedDmlsMessage>(t.protect(devices_[d].head, plaintext));
      out.encoded = mls::encode_one(*out.dmls);
    } else {
      out.message = std::make_shared<const mls::MlsMessage>(mutable_group(d)->protect(plaintext));
      out.encoded = mls::encode_one(*out.message);
    }
    out.epoch_commit = current_epoch_commit(d);
    out.sent = sim_.now();
    const nlohmann::json content = encrypted_content(out.encoded, event_id(out.epoch_commit));
    send_up(std::move(out), static_cast<std::uint32_t>(content.dump().size()));
    ++counts_.messages_sent;
    return {true, ""};
  }
  return {false, any_online ? "no group" : "no online device"};
}

EncryptedRoom::SendResult EncryptedRoom::commit(DeviceIndex d, const mls::CommitOptions& options,
                                                std::vector<mls::Bytes> resolves) {
  return commit_adding(d, options, {}, std::move(resolves));
}

EncryptedRoom::SendResult EncryptedRoom::commit_adding(DeviceIndex d, mls::CommitOptions options,
                                                       std::vector<DeviceIndex> added,
                                                       std::vector<mls::Bytes> resolves) {
  if (!online(d)) return {false, "offline"};
  const mls::Group* g = group(d);
  if (g == nullptr) return {false, "no group"};
  if (g->has_pending_commit() || devices_[d].dmls_pending) return {false, "commit pending"};
  Outgoing out;
  out.from = d;
  out.commit = true;
  out.epoch = g->epoch();
  out.resolves = std::move(resolves);
  mls::CommitOutput made;
  options.group_info = true;
  if (config_.dmls) {
    dmls::EpochTree& t = *mutable_tree(d);
    t.set_now(sim_.now());
    dmls::EpochTree::OwnCommit own = t.commit(devices_[d].head, options);
    out.dmls = std::make_shared<const dmls::SharedDmlsMessage>(std::move(own.commit));
    made.welcome = std::move(own.welcome);
    made.group_info = std::move(own.group_info);
    devices_[d].dmls_pending = true;
  } else {
    made = mutable_group(d)->commit(options);
  }
  if (made.welcome) {
    auto welcome = std::make_shared<WelcomeOut>();
    welcome->file_bytes = static_cast<std::uint32_t>(mls::encode_one(*made.welcome).size());
    welcome->via_media = too_large_for_event(to_device_bytes(*welcome));
    welcome->bytes = to_device_bytes(*welcome);
    welcome->committer = d;
    welcome->welcome = std::make_shared<const mls::MlsMessage>(std::move(*made.welcome));
    welcome->targets = std::move(added);
    welcome->origin = devices_[d].device.homeserver();
    devices_[d].pending_welcome = std::move(welcome);
  }
  out.message = std::make_shared<const mls::MlsMessage>(std::move(made.commit));
  out.encoded = mls::encode_one(*out.message);
  if (made.group_info) set_group_info(out, std::move(*made.group_info));
  out.epoch_commit = devices_[d].epoch_commit;
  out.sent = sim_.now();
  send_commit_up(std::move(out));
  ++counts_.commits_sent;
  return {true, ""};
}

void EncryptedRoom::set_group_info(Outgoing& out, mls::GroupInfo info) {
  mls::MlsMessage wrapped;
  wrapped.body = info;
  out.group_info_encoded = mls::encode_one(wrapped);
  out.group_info = std::make_shared<const mls::GroupInfo>(std::move(info));
}

void EncryptedRoom::send_commit_up(Outgoing out) {
  const nlohmann::json content = commit_content(out.encoded, out.epoch, event_id(out.epoch_commit),
                                                out.group_info_encoded, out.resolves);
  send_up(std::move(out), static_cast<std::uint32_t>(content.dump().size()));
}

void EncryptedRoom::send_up(Outgoing out, std::uint32_t bytes) {
  if (too_large_for_event(bytes)) ++counts_.events_over_limit;
  std::uint32_t slot;
  if (!free_outgoing_.empty()) {
    slot = free_outgoing_.back();
    free_outgoing_.pop_back();
    outgoing_[slot] = std::move(out);
  } else {
    slot = static_cast<std::uint32_t>(outgoing_.size());
    outgoing_.push_back(std::move(out));
  }
  links_.send_up(devices_[outgoing_[slot].from].endpoint, bytes + kClientRequestOverhead,
                 outgoing_[slot].commit ? commit_class_ : send_class_, slot);
}

void EncryptedRoom::on_client_message(const sim::ClientMessage& m) {
  if (!m.up || (m.cls != send_class_ && m.cls != commit_class_)) return;
  const auto slot = static_cast<std::uint32_t>(m.payload);
  Outgoing out = std::move(outgoing_[slot]);
  free_outgoing_.push_back(slot);
  const matrix::RoomUser& user = federation_.room().users()[user_of(out.from)];
  const std::string prev = event_id(out.epoch_commit);
  nlohmann::json content = out.commit ? commit_content(out.encoded, out.epoch, prev,
                                                       out.group_info_encoded, out.resolves)
                                      : encrypted_content(out.encoded, prev);
  const matrix::Homeserver::SendResult r = federation_.send(
      user.server, user.user_id, out.commit ? kCommitEventType : kEncryptedEventType, std::nullopt,
      std::move(content));
  if (r.event == matrix::kNoEvent) {
    ++counts_.sends_failed;
    not_sent(out);
    return;
  }
  if (mls_events_.size() <= r.event) mls_events_.resize(r.event + 1 + r.event / 2);
  MlsEvent ev;
  ev.message = out.message;
  ev.dmls = out.dmls;
  ev.resolves = out.resolves;
  ev.group_info = out.group_info;
  ev.external = out.external;
  ev.epoch_commit = out.epoch_commit;
  ev.commit = out.commit;
  ev.epoch = out.epoch;
  ev.from = out.from;
  if (!out.commit) {
    // Expected readers: devices of the users joined in the state at the event's position (found
    // again while messages follow one another in one state).
    matrix::RoomWorld& world = federation_.room();
    matrix::SharedState state = world.history().shared_state_before(r.event);
    if (state != expected_state_ || expected_.size() != devices_.size()) {
      expected_.assign(devices_.size(), false);
      for (std::size_t u = 0; u < world.users().size(); ++u) {
        if (!joined_in(*state, u)) continue;
        for (std::uint32_t k = 0; k < device_count(u); ++k)
          expected_[first_device(u) + k] = true;
      }
      expected_state_ = std::move(state);
    }
    ev.ledger_index = ledger_.add_message(SentMessage{r.event, out.from, out.sent}, expected_);
    ledger_of_serial_[out.serial] = ev.ledger_index;
  }
  mls_events_[r.event] = std::move(ev);
}

void EncryptedRoom::on_client_failure(const sim::ClientMessage& m) {
  if (m.cls != send_class_ && m.cls != commit_class_) return;
  const auto slot = static_cast<std::uint32_t>(m.payload);
  Outgoing out = std::move(outgoing_[slot]);
  free_outgoing_.push_back(slot);
  ++counts_.sends_failed;
  not_sent(out);
}

void EncryptedRoom::not_sent(const Outgoing& out) {
  if (out.external) {
    abandon_rejoin(out.from);
  } else if (out.commit) {
    discard_pending(out.from);
  }
}

matrix::EventIndex EncryptedRoom::current_epoch_commit(DeviceIndex d) const {
  if (!config_.dmls) return devices_[d].epoch_commit;
  const auto it = commit_of_epoch_.find(devices_[d].head);
  return it == commit_of_epoch_.end() ? matrix::kNoEvent : it->second;
}

void EncryptedRoom::advance_clocks(sim::SimTime now) {
  for (DeviceIndex d = 0; d < devices_.size(); ++d) {
    if (dmls::EpochTree* t = mutable_tree(d)) t->set_now(now);
  }
}

void EncryptedRoom::close_ledger() {
  for (std::uint32_t m = 0; m < ledger_.message_count(); ++m) {
    for (DeviceIndex d = 0; d < ledger_.devices_at_send(m); ++d) {
      if (ledger_.outcome(m, d) == ReadOutcome::kWaiting)
        ledger_.unreadable(m, d, UnreadableCause::kEpochNeverReached);
    }
  }
}

const mls::MlsMessage* EncryptedRoom::mls_message(matrix::EventIndex e) const {
  if (e >= mls_events_.size() || !mls_events_[e]) return nullptr;
  if (mls_events_[e]->dmls) return &mls_events_[e]->dmls->message;
  return mls_events_[e]->message.get();
}

std::uint64_t EncryptedRoom::commit_epoch(matrix::EventIndex e) const {
  return e < mls_events_.size() && mls_events_[e] ? mls_events_[e]->epoch : 0;
}

std::vector<matrix::EventIndex> EncryptedRoom::commit_events() const {
  std::vector<matrix::EventIndex> out;
  for (std::size_t e = 0; e < mls_events_.size(); ++e) {
    if (mls_events_[e] && mls_events_[e]->commit) out.push_back(static_cast<matrix::EventIndex>(e));
  }
  return out;
}

matrix::EventIndex EncryptedRoom::commit_parent(matrix::EventIndex e) const {
  return mls_events_.at(e)->epoch_commit;
}

const std::vector<mls::Bytes>& EncryptedRoom::commit_resolves(matrix::EventIndex e) const {
  return mls_events_.at(e)->resolves;
}

matrix::EventIndex EncryptedRoom::commit_of_epoch(const mls::Bytes& epoch) const {
  const auto it = commit_of_epoch_.find(epoch);
  return it == commit_of_epoch_.end() ? matrix::kNoEvent : it->second;
}

void EncryptedRoom::on_online(DeviceIndex d, bool online) {
  devices_[d].device.set_online(online);
}

void EncryptedRoom::on_synced(DeviceIndex d, matrix::EventIndex e, sim::SimTime) {
  if (e < mls_events_.size() && mls_events_[e]) {
    const MlsEvent& ev = *mls_events_[e];
    if (ev.commit) {
      commit_synced(d, e);
    } else {
      receive_application(d, ev);
    }
    return;
  }
  if (federation_.room().store()[e].kind == matrix::EventKind::kMember) member_synced(d, e);
}

void EncryptedRoom::receive_application(DeviceIndex d, const MlsEvent& ev) {
  if (d == ev.from) return;  // the sender's own message
  const std::uint32_t m = ev.ledger_index;
  ledger_.delivered(m, d);
  if (config_.dmls) return receive_dmls_application(d, ev);
  mls::Group* g = mutable_group(d);
  if (g == nullptr) {
    ledger_.unreadable(m, d, UnreadableCause::kNotAMember);
    return;
  }
  try {
    g->handle(*ev.message, ev.message);
    ledger_.read(m, d, sim_.now());
  } catch (const mls::GroupError& error) {
    ledger_.unreadable(m, d, cause_of(error.reason(), ev.epoch, g->epoch()));
  }
}

CommitFate EncryptedRoom::process_commit(DeviceIndex d, matrix::EventIndex e) {
  const MlsEvent& ev = *mls_events_.at(e);
  if (config_.dmls) return process_dmls_commit(d, e, ev);
  CommitFate fate = CommitFate::kApplied;
  DeviceSlot& slot = devices_[d];
  if (slot.rejoin && slot.rejoin->group && ev.epoch_commit == slot.rejoin->info_event &&
      settle_rejoin(d, ev)) {
    // The first commit on the epoch the device rejoined is its own external commit: it is in.
    slot.epoch_commit = e;
    ++counts_.commit_fates[static_cast<int>(CommitFate::kOwnMerged)];
    refresh_epoch(d);
    commit_processed(d, e, CommitFate::kOwnMerged);
    return CommitFate::kOwnMerged;
  }
  mls::Group* g = mutable_group(d);
  if (g == nullptr || g->status() == mls::Group::Status::kRemoved) {
    fate = CommitFate::kNotAMember;
    // Held until a Welcome lets the device in (then replayed): commits synced before it.
    std::vector<matrix::EventIndex>& early = devices_[d].early_commits;
    if (g == nullptr && early.size() < kEarlyCommitsKept) early.push_back(e);
  } else if (ev.epoch != g->epoch()) {
    fate = CommitFate::kStale;
  } else {
    // First seen wins: a rival commit of ours for this epoch lost.
    if (ev.from != d && g->has_pending_commit()) discard_pending(d);
    try {
      const mls::Received r = g->handle(*ev.message, ev.message);
      fate = r.own_commit ? CommitFate::kOwnMerged : CommitFate::kApplied;
      devices_[d].epoch_commit = e;
      std::weak_ptr<const mls::EpochPublic>& created = epoch_of_commit_[e];
      if (created.expired()) created = g->shared_public_state();
      if (r.own_commit) release_welcome(d, e);
    } catch (const mls::GroupError&) {
      fate = CommitFate::kRejected;
    }
  }
  ++counts_.commit_fates[static_cast<int>(fate)];
  refresh_epoch(d);
  commit_processed(d, e, fate);
  return fate;
}

}  // namespace dmlssim::models::device
