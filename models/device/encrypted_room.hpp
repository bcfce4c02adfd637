// A federated room whose users' devices run MLS: the devices (behind their homeservers' client
// hop), their groups, the room events that carry commits and encrypted messages, and the ledger
// of every message's fate per reader. This is mechanism only — what a device does with a commit it
// receives, who commits a membership change and when, is the strategy's (consensus/), which
// subscribes to the signals below and calls the operations.
//
// Devices: user u's devices are u * devices_per_user + k, named "<user>/D<k>". The devices of the
// users joined when the room starts form the group's epoch 0 (built at once, as after every even
// leaf committed: mls::bootstrap_group); every later change goes through real commits.
//
// A device sends by its client hop: the request goes up to its homeserver (sim::ClientLinks) and
// the server builds the room event then; a device receives by sync (ClientSync), in its server's
// stream order. The MLSMessage of each MLS event is kept once per simulation, beside the event.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/device/client_sync.hpp"
#include "models/device/device.hpp"
#include "models/device/held_messages.hpp"
#include "models/device/read_ledger.hpp"
#include "models/device/sync_receiver.hpp"
#include "models/dmls/retention.hpp"
#include "models/matrix/federation.hpp"
#include "models/matrix/state_history.hpp"
#include "models/mls/epoch_cache.hpp"
#include "models/mls/memo_crypto.hpp"
#include "sim/client_links.hpp"
#include "sim/random.hpp"
#include "sim/signal.hpp"

namespace dmlssim::models::device {

struct EncryptedRoomConfig {
  // Devices of each user: devices_per_user, or, when devices_per_user_max is above it, a uniform
  // draw in [devices_per_user, devices_per_user_max] per user (random stream "devices").
  std::uint32_t devices_per_user = 1;
  std::uint32_t devices_per_user_max = 0;
  mls::GroupConfig group;               // crypto provider, ratchet limits, handshake wire format
  std::uint32_t plaintext_bytes = 100;  // application message plaintext
  // KeyPackages each device keeps on its server (plus one last resort, reused when they run out).
  std::uint32_t key_packages = 10;
  // DMLS: every device holds an epoch tree (commits on any retained epoch fork it, messages name
  // their epoch) and forgets epochs by `retention`; else one MLS group per device.
  bool dmls = false;
  dmls::RetentionPolicy retention{dmls::RetentionRule::kWindow,
                                  sim::SimTime::from_seconds(7 * 86400), 0};
  // The largest event or to-device message content, bytes (the Matrix spec's PDU limit). A
  // Welcome above it goes through the media repository; events above it are counted.
  std::uint32_t max_event_bytes = 65536;
};

// What a device did with an MLS event it received.
enum class CommitFate : std::uint8_t {
  kApplied,     // processed: the device moved to the commit's epoch
  kOwnMerged,   // the device's own pending commit came back and was merged
  kStale,       // for an epoch the device is not in (first seen lost, or another fork)
  kRejected,    // invalid for the device (see the rejection)
  kNotAMember,  // the device holds no group (never added, or removed)
  kForked,      // DMLS: processed on a retained epoch other than the device's head (a fork)
  kBuffered,    // DMLS: its epoch is not reached yet; held until it is
};
inline constexpr int kCommitFates = 7;
const char* to_string(CommitFate fate);

class EncryptedRoom : private SyncReceiver {
 public:
  // The federation, links and sync must outlive the room.
  EncryptedRoom(sim::Simulation& sim, matrix::Federation& federation, sim::ClientLinks& links,
                ClientSync& sync, EncryptedRoomConfig config, std::uint64_t seed,
                std::uint64_t run);
  EncryptedRoom(const EncryptedRoom&) = delete;
  EncryptedRoom& operator=(const EncryptedRoom&) = delete;

  // Creates every user's devices and the group of the devices of users joined now.
  void start();

  // --- devices ---
  std::size_t device_count() const { return devices_.size(); }
  Device& device(DeviceIndex d) { return devices_[d].device; }
  const Device& device(DeviceIndex d) const { return devices_[d].device; }
  std::size_t user_of(DeviceIndex d) const { return devices_[d].user; }
  // A user's devices are first_device(u) .. first_device(u) + device_count(u) - 1.
  DeviceIndex first_device(std::size_t user) const { return first_of_user_[user]; }
  std::uint32_t device_count(std::size_t user) const {
    return first_of_user_[user + 1] - first_of_user_[user];
  }
  bool online(DeviceIndex d) const { return links_.online(devices_[d].endpoint); }
  // The device's endpoint on the client links (to take it offline and back).
  sim::EndpointId endpoint(DeviceIndex d) const { return devices_[d].endpoint; }
  // The device's group, or null when it holds none or was removed. Under DMLS: the group of the
  // epoch the device sends on (its head), null when it was removed there.
  const mls::Group* group(DeviceIndex d) const;
  // Devices whose current epoch has this epoch authenticator.
  std::uint32_t devices_in_epoch(const mls::Bytes& epoch_authenticator) const {
    const auto it = epoch_population_.find(epoch_authenticator);
    return it == epoch_population_.end() ? 0 : it->second;
  }
  // --- DMLS ---
  bool dmls() const { return config_.dmls; }
  // The device's epoch tree (null under MLS or before it joined).
  const dmls::EpochTree* tree(DeviceIndex d) const;
  // The epoch the device sends and commits on.
  const mls::Bytes& head(DeviceIndex d) const { return devices_[d].head; }
  // Moves the device to another head it holds (its chosen fork).
  void set_head(DeviceIndex d, const mls::Bytes& epoch);
  // Heads of the device's tree still open: not resolved by a merge the device has seen (see
  // commit()'s `resolves`), and not an epoch on which a commit removed the device.
  std::vector<mls::Bytes> open_heads(DeviceIndex d) const;
  // The commit event that created the device's current epoch (kNoEvent: the room's first).
  matrix::EventIndex epoch_commit(DeviceIndex d) const { return devices_[d].epoch_commit; }
  // Is user u joined in the state the device's homeserver holds now?
  bool joined_at_server(DeviceIndex d, std::size_t user) const;
  // The device named by an MLS credential identity ("@u3:s1/D0"), if it is one of the room's.
  std::optional<DeviceIndex> device_of_identity(const mls::Bytes& identity) const;
  // Membership follows the room: the leaves of device d's group whose devices belong to users
  // not joined in the state d's homeserver holds (ascending; empty without an active group).
  std::vector<mls::LeafIndex> leaves_to_remove(DeviceIndex d) const;
  // Remove proposals for those leaves, the device's own left out (a member never removes itself).
  std::vector<mls::Proposal> removals_due(DeviceIndex d) const;
  matrix::Federation& federation() { return federation_; }
  const matrix::Federation& federation() const { return federation_; }
  sim::Simulation& simulation() { return sim_; }
  const sim::Simulation& simulation() const { return sim_; }
  // A random stream of the run for a strategy's own draws ("strategy/<name>").
  sim::RandomStream random_stream(const std::string& name) const {
    return sim::RandomStream(seed_, run_, "strategy/" + name);
  }

  // --- operations (for the workload and the strategies) ---
  struct SendResult {
    bool sent = false;         // handed to the client hop
    const char* refused = "";  // why not
  };
  // The user's first online device whose group is active encrypts `plaintext_bytes` and sends the
  // event. Refused: "no online device", "no group" (none of its online devices holds one),
  // "commit pending" is not a refusal (MLS allows sending in the current epoch).
  SendResult send_message(std::size_t user);
  // Device d commits `options` (its adds, removes, updates); the commit stays pending on the
  // device until its event comes back by sync. Refused when the device holds no active group or
  // has a commit pending already.
  // Under DMLS, `resolves` names the heads the commit merges (MSC2883's `resolves`, carried in the
  // event): devices processing it treat them as resolved.
  SendResult commit(DeviceIndex d, const mls::CommitOptions& options,
                    std::vector<mls::Bytes> resolves = {});
  // Device d adds `targets` (devices missing from its group): it asks its homeserver to claim
  // their KeyPackages (from their servers' stock, POST /user/keys/claim for remote ones), and when
  // the answer comes back commits Adds for the packages it got, with the Removes due. The Welcome
  // goes out as to-device messages once the commit is merged (a commit that loses never releases
  // its Welcome, RFC 9420 §14). Refused like commit().
  SendResult add_devices(DeviceIndex d, std::vector<DeviceIndex> targets);
  // Devices of users joined in the state d's homeserver holds that d's group lacks (empty without
  // an active group).
  std::vector<DeviceIndex> devices_to_add(DeviceIndex d) const;
  // KeyPackages device d has on its server now (the last resort not counted).
  std::uint32_t key_stock(DeviceIndex d) const { return devices_[d].stock; }
  // Device d processes the commit carried by `event` (an m.mls.commit it synced) on its current
  // epoch: applied, its own merged, or why not. A rival pending commit of d is discarded first
  // when the received one is for d's epoch (it lost).
  CommitFate process_commit(DeviceIndex d, matrix::EventIndex event);
  // The MLSMessage an MLS event carries (null for other events).
  const mls::MlsMessage* mls_message(matrix::EventIndex event) const;
  // The epoch an m.mls.commit event's commit was made on.
  std::uint64_t commit_epoch(matrix::EventIndex event) const;
  // The commit DAG (for fork accounting): every m.mls.commit event, in event order; the commit
  // event of the epoch a commit was made on (kNoEvent: the room's first epoch); the heads a
  // merge names; the commit event that created a DMLS epoch, when a device has processed it
  // (kNoEvent otherwise).
  std::vector<matrix::EventIndex> commit_events() const;
  matrix::EventIndex commit_parent(matrix::EventIndex event) const;
  const std::vector<mls::Bytes>& commit_resolves(matrix::EventIndex event) const;
  matrix::EventIndex commit_of_epoch(const mls::Bytes& epoch) const;

  // --- rejoining by external commit (RFC 9420 §12.4.3.2; MLS only, not DMLS) ---
  // The GroupInfo an m.mls.commit event carries: its committer's, of the epoch the commit
  // creates (null for other events).
  const mls::GroupInfo* commit_group_info(matrix::EventIndex commit_event) const;
  // Device d rejoins the epoch `commit_event` created, from that event's GroupInfo: it asks its
  // homeserver for the epoch's ratchet tree (the server derives it from the public commits;
  // client_ratchet_tree on the client hop), then commits externally — resync: removing its old
  // leaf when that tree holds one — and sends the commit. Its group is replaced only when the
  // commit wins: the first commit on that epoch the device syncs decides (its own: the device is
  // in; another: the rejoin lost and the device keeps its old group). Refused: "dmls",
  // "offline", "rejoin pending", "no group info", "no tree" (no device holds that epoch any
  // more: nobody is left to rejoin there; the simulator keeps no tree nobody holds).
  SendResult rejoin(DeviceIndex d, matrix::EventIndex commit_event);
  bool rejoining(DeviceIndex d) const { return devices_[d].rejoin != nullptr; }

  // --- what happens ---
  // A device synced an m.mls.commit event (the strategy decides what to do with it).
  sim::Signal<DeviceIndex, matrix::EventIndex> commit_synced;
  // A device synced a membership event (its server's state may call for a commit).
  sim::Signal<DeviceIndex, matrix::EventIndex> member_synced;
  // A commit was processed by a device (metrics).
  sim::Signal<DeviceIndex, matrix::EventIndex, CommitFate> commit_processed;
  // A device joined the group from a Welcome.
  sim::Signal<DeviceIndex> joined;
  // A device's current epoch changed (a commit, a join, a removal, another head).
  sim::Signal<DeviceIndex> epoch_changed;

  // At the end of a run: pairs still waiting for an epoch become unreadable, epoch never reached
  // (censored by the end of the run).
  void close_ledger();
  // At the end of a run: every DMLS epoch tree's clock moves to `now`, so that its exposure has
  // accrued up to then.
  void advance_clocks(sim::SimTime now);
  ReadLedger& ledger() { return ledger_; }
  const ReadLedger& ledger() const { return ledger_; }
  struct Counts {
    std::uint64_t messages_sent = 0, commits_sent = 0, sends_failed = 0;
    std::uint64_t key_packages_claimed = 0, last_resort_used = 0, claims_failed = 0;
    std::uint64_t welcomes_sent = 0, welcomes_dropped = 0, joins = 0, join_failures = 0;
    std::uint64_t commits_fetched = 0;  // DMLS: commits asked for by event ID (soft-failed)
    // Welcomes too large for a to-device message: files uploaded to the committer's server,
    // downloads that reached a device, and that failed; servers' fetches from the origin, and
    // those that failed. Events whose content exceeded max_event_bytes (sent as they are).
    std::uint64_t media_uploads = 0, media_downloads = 0, media_downloads_failed = 0;
    std::uint64_t media_fetches = 0, media_fetches_failed = 0, events_over_limit = 0;
    // Rejoins by external commit: asked for, refused for want of a tree, commits sent, won, lost
    // (another commit on the epoch came first), and abandoned (the tree or the commit lost on
    // the client hop, or the external join failed).
    std::uint64_t rejoins_asked = 0, rejoins_no_tree = 0, rejoins_sent = 0, rejoins_won = 0;
    std::uint64_t rejoins_lost = 0, rejoins_abandoned = 0;
    std::uint64_t commit_fates[kCommitFates] = {};  // by CommitFate
  };
  const Counts& counts() const { return counts_; }
  // Client-hop classes of application messages and of commits sent up.
  sim::MessageClass send_class() const { return send_class_; }
  sim::MessageClass commit_class() const { return commit_class_; }
  // DMLS: commits fetched by event ID (the request up, the event down).
  sim::MessageClass fetch_class() const { return fetch_class_; }

 private:
  // A Welcome of a pending commit, released when the commit is merged.
  struct WelcomeOut {
    std::shared_ptr<const mls::MlsMessage> welcome;
    std::vector<DeviceIndex> targets;
    matrix::EventIndex commit_event = matrix::kNoEvent;  // set when merged
    std::uint32_t bytes = 0;                             // as a to-device message
    std::uint32_t file_bytes = 0;                        // the Welcome's binary encoding
    bool via_media = false;               // too large for a to-device message: a file
    std::uint32_t media_id = UINT32_MAX;  // in media_files_, once uploaded
    DeviceIndex committer = 0;
    sim::NodeId origin = 0;  // the committer's server
  };
  // A rejoin by external commit under way (encrypted_room_rejoin.cpp).
  struct Rejoin {
    matrix::EventIndex info_event = matrix::kNoEvent;  // whose GroupInfo it joins from
    mls::EpochPublicPtr epoch;                         // that epoch's public state (its tree)
    std::optional<mls::Group> group;                   // once the external commit is made
  };
  struct DeviceSlot {
    explicit DeviceSlot(Device d) : device(std::move(d)) {}
    Device device;
    // What the device holds for this room (its entry in the device's rooms; map entries do not
    // move), found once: it is asked for at every synced event.
    RoomCrypto* crypto = nullptr;
    std::uint32_t user = 0;  // index in the room's users
    sim::EndpointId endpoint = 0;
    matrix::EventIndex epoch_commit = matrix::kNoEvent;
    std::uint32_t stock = 0;                     // KeyPackages on its server
    std::uint32_t uploading = 0;                 // replacements on their way up
    std::optional<mls::KeyPackage> last_resort;  // made when the stock first runs out
    std::shared_ptr<WelcomeOut> pending_welcome;
    // Commits synced while the device held no group, replayed when a Welcome lets it in.
    std::vector<matrix::EventIndex> early_commits;
    // DMLS: Welcomes (to-device ids) that came while it was on a fork, used once it is out.
    std::vector<std::uint32_t> deferred_welcomes;
    // DMLS: the epoch it sends on, heads closed (merged away, or it was removed there), removed
    // on its head.
    mls::Bytes head;
    dmls::ByteSet closed;
    bool closed_unswept = false;  // heads were closed since after_tree_change last looked
    void close(const mls::Bytes& epoch) {
      closed.insert(epoch);
      closed_unswept = true;
    }
    bool removed_on_head = false;
    bool dmls_pending = false;  // a commit of its own is on its way
    // DMLS: commit events the device can never process, and why (their epoch was deleted, or
    // their parent commit is itself dead): messages of their epochs are unreadable for that.
    std::map<matrix::EventIndex, UnreadableCause> dead_commits;
    std::vector<matrix::EventIndex> waiting_commits;  // buffered by its tree
    std::unique_ptr<Rejoin> rejoin;                   // a rejoin under way
    mls::Bytes epoch_key;  // epoch authenticator of its current group (empty: none)
  };
  // What reading a message needs of each device, dense by device: a DeviceSlot spans some twenty
  // cache lines, of which a read touched five. `group` and `tree` point into the slot's crypto
  // while it holds that kind (note_crypto() after every change of kind; a kind's object stays
  // where the variant is).
  struct ReadState {
    mls::Group* group = nullptr;
    dmls::EpochTree* tree = nullptr;
    sim::SimTime next_expiry;  // window retention: nothing expires before (0: look next time)
    dmls::EpochTree::ReadLines lines;  // where its tree read last (prefetched by hint())
  };
  void note_crypto(DeviceIndex d);
  // Notes where the device's tree read last, for the next hint().
  void note_read_lines(DeviceIndex d) {
    if (reading_[d].tree != nullptr) reading_[d].lines = reading_[d].tree->read_lines();
  }
  // A device's request for KeyPackages, through its server.
  struct Claim {
    DeviceIndex committer = 0;
    std::vector<DeviceIndex> targets;
    std::vector<std::optional<mls::KeyPackage>> packages;  // by target
    std::uint32_t outstanding = 0;                         // remote claims not finished
    bool open = false;
  };
  struct RemoteClaim {
    std::uint32_t claim = 0;
    sim::NodeId server = 0;
  };
  struct ToDeviceWelcome {
    std::shared_ptr<WelcomeOut> welcome;  // released once used
    DeviceIndex target = 0;
    bool fetched = false;      // via media: the device holds the file
    bool downloading = false;  // via media: a download is on its way
  };
  // An event on its way up the client hop.
  struct Outgoing {
    DeviceIndex from = 0;
    bool commit = false;
    std::shared_ptr<const mls::MlsMessage> message;
    std::shared_ptr<const dmls::SharedDmlsMessage> dmls;  // under DMLS: the wrapped message
    std::vector<mls::Bytes> resolves;
    std::shared_ptr<const mls::GroupInfo> group_info;  // commits: of the epoch they create
    mls::Bytes group_info_encoded;
    bool external = false;     // an external commit (a rejoin)
    std::uint64_t serial = 0;  // application messages
    mls::Bytes encoded;
    std::uint64_t epoch = 0;
    matrix::EventIndex epoch_commit = matrix::kNoEvent;  // the commit event of that epoch
    sim::SimTime sent;
  };
  struct MlsEvent {
    std::shared_ptr<const mls::MlsMessage> message;
    std::shared_ptr<const dmls::SharedDmlsMessage> dmls;
    std::vector<mls::Bytes> resolves;
    std::shared_ptr<const mls::GroupInfo> group_info;  // commits: of the epoch they create
    bool external = false;                             // an external commit (a rejoin)
    // The commit event of the epoch the message belongs to (commits: the epoch they end).
    matrix::EventIndex epoch_commit = matrix::kNoEvent;
    bool commit = false;
    std::uint64_t epoch = 0;  // the epoch the message belongs to (commits: made on)
    DeviceIndex from = 0;
    std::uint32_t ledger_index = 0;  // application messages
  };
  void setup_rejoin();
  void rejoin_tree_arrived(DeviceIndex d);
  void abandon_rejoin(DeviceIndex d);
  // The first commit on the rejoin's epoch reached d: installs the group if it is d's own.
  // Returns whether it was d's own.
  bool settle_rejoin(DeviceIndex d, const MlsEvent& ev);
  sim::MessageClass rejoin_class_ = 0;
  // The public state each commit event created, while some device holds it.
  std::unordered_map<matrix::EventIndex, std::weak_ptr<const mls::EpochPublic>> epoch_of_commit_;
  // A to-device message's JSON envelope beside its base64 content.
  static constexpr std::uint32_t kToDeviceEnvelope = 200;
  static constexpr std::size_t kEarlyCommitsKept = 64;
  // SyncReceiver: device `d` synced event `e` (its time is the clock's), went on- or offline.
  void on_synced(DeviceIndex d, matrix::EventIndex e, sim::SimTime at) override;
  void on_online(DeviceIndex d, bool online) override;
  // Prefetches the device's read state (ahead 2), then its tree's lines (ahead 1).
  void hint(DeviceIndex d, unsigned ahead) const override;
  void on_client_message(const sim::ClientMessage& m);
  void on_client_failure(const sim::ClientMessage& m);
  // An event's request up the client hop; `bytes`: its content (counted when over the limit).
  void send_up(Outgoing out, std::uint32_t bytes);
  // A commit with its GroupInfo (set_group_info) goes up as an m.mls.commit event's content.
  static void set_group_info(Outgoing& out, mls::GroupInfo info);
  void send_commit_up(Outgoing out);
  // An event that never became a room event: a rejoin is abandoned, a pending commit discarded.
  void not_sent(const Outgoing& out);
  void receive_application(DeviceIndex d, const MlsEvent& ev);
  // encrypted_room_adds.cpp
  void setup_adds();
  void discard_pending(DeviceIndex d);
  SendResult commit_adding(DeviceIndex d, mls::CommitOptions options,
                           std::vector<DeviceIndex> added, std::vector<mls::Bytes> resolves = {});
  mls::Group* mutable_group(DeviceIndex d);
  dmls::EpochTree* mutable_tree(DeviceIndex d);
  std::uint64_t next_plaintext_serial(mls::Bytes& plaintext);
  // encrypted_room_fetch.cpp: commits a device's sync never brings (soft-failed at its server),
  // asked for by event ID when the device holds something of the epoch they created.
  void setup_fetch();
  void need_commit(DeviceIndex d, matrix::EventIndex commit);
  void fetch(DeviceIndex d, matrix::EventIndex commit);
  sim::MessageClass fetch_class_ = 0;
  std::set<std::uint64_t> fetching_;       // (device << 32 | event) asked for, once each
  std::vector<std::uint64_t> fetch_lost_;  // requests to send again when the device is online
  // Commits not at a device's server yet that the device needs: fetched if soft-failed there.
  std::unordered_map<matrix::EventIndex, std::vector<DeviceIndex>> awaiting_;
  // encrypted_room_dmls.cpp
  void receive_dmls_application(DeviceIndex d, const MlsEvent& ev);
  CommitFate process_dmls_commit(DeviceIndex d, matrix::EventIndex e, const MlsEvent& ev);
  // Records what tree events mean for the ledger; returns the created epoch's fate for commits.
  void apply_tree_events(DeviceIndex d, const dmls::TreeEvents& events, std::uint32_t message);
  // Retention: what the policy lets the device forget now. `epochs_changed`: an epoch was added
  // since the last call. Returns whether the policy was applied (it may have forgotten epochs).
  bool after_tree_change(DeviceIndex d, bool epochs_changed);
  void mark_dead(DeviceIndex d, matrix::EventIndex e, UnreadableCause cause);
  // The first commit event device d's tree holds buffered on `epoch`, taken off its waiting
  // list (kNoEvent: none).
  matrix::EventIndex take_waiting_commit(DeviceIndex d, const mls::Bytes& epoch);
  // Joins from a Welcome: a new group (a tree under DMLS), or a new root of the device's tree.
  void join_from_welcome(DeviceIndex d, const mls::Welcome& welcome);
  // Per device, the messages its tree holds for an epoch not reached, in arrival order.
  std::map<DeviceIndex, HeldMessages> buffered_;
  // DMLS: the commit event that created each epoch (epoch identities are the same for every
  // device that processes the commit).
  std::map<mls::Bytes, matrix::EventIndex, mls::BytesLess> commit_of_epoch_;
  // The commit event of the epoch device d sends in.
  matrix::EventIndex current_epoch_commit(DeviceIndex d) const;
  std::uint32_t claim_at(sim::NodeId server, std::uint32_t remote_claim);
  std::optional<mls::KeyPackage> take_key_package(DeviceIndex d);
  void claim_arrived(std::uint32_t claim);
  void claim_finished(std::uint32_t claim);
  void claim_answered(std::uint32_t claim);
  void release_welcome(DeviceIndex d, matrix::EventIndex commit_event);
  void welcome_request_arrived(std::uint32_t welcome_index);
  void deliver_to_device(DeviceIndex target, std::uint32_t id);
  void to_device_arrived(DeviceIndex d, std::uint32_t id);
  // Joins from to-device Welcome `id`; returns false when its file must be downloaded first.
  bool join_by_welcome(DeviceIndex d, std::uint32_t id);
  void use_deferred_welcome(DeviceIndex d);
  void on_adds_message(const sim::ClientMessage& m);
  // encrypted_room_media.cpp: Welcomes too large for a to-device message, as media.
  struct MediaFile {
    sim::NodeId origin = 0;  // the server it was uploaded to
    std::uint32_t bytes = 0;
  };
  void setup_media();
  bool too_large_for_event(std::uint32_t bytes) const;
  static std::uint32_t to_device_bytes(const WelcomeOut& welcome);
  void upload_welcome(DeviceIndex d, std::uint32_t request);
  void send_upload(DeviceIndex d, std::uint32_t request);
  void forget_upload(std::uint32_t request);
  void upload_arrived(std::uint32_t request);
  void upload_answered(std::uint32_t request);
  void download_welcome(std::uint32_t id);
  void download_requested(std::uint32_t id);
  void file_fetched(sim::NodeId server, std::uint32_t file, bool ok);
  void download_answered(std::uint32_t id, bool ok);
  void retry_download_later(std::uint32_t id);
  void welcome_not_needed(std::uint32_t id);
  sim::MessageClass media_upload_class_ = 0, media_download_class_ = 0;
  std::vector<MediaFile> media_files_;  // by media ID
  std::set<std::uint64_t> media_held_;  // (server << 32 | file): its uploads and cached fetches
  // (server << 32 | file) being fetched from the origin: the to-device ids waiting for it.
  std::map<std::uint64_t, std::vector<std::uint32_t>> media_waiting_;
  // By device: to-device Welcomes whose file it still needs.
  std::map<DeviceIndex, std::vector<std::uint32_t>> media_pending_;
  // By committer: Welcome requests (welcome_requests_) uploaded and not answered yet.
  std::map<DeviceIndex, std::vector<std::uint32_t>> uploads_pending_;
  // Uploads replacements for the device's claimed KeyPackages (when it is online).
  void refill_key_packages(DeviceIndex d);
  std::string event_id(matrix::EventIndex e) const;
  // Is user u joined in `state`?
  bool joined_in(const matrix::StateMap& state, std::size_t user) const;

  sim::Simulation& sim_;
  matrix::Federation& federation_;
  sim::ClientLinks& links_;
  ClientSync& sync_;
  std::unique_ptr<mls::MemoCrypto> memo_crypto_;  // wraps the configured provider
  EncryptedRoomConfig config_;
  // config_.group as every device's groups share it (one object for all: a group's own copy
  // is a cold cache line at every message), made when first asked for (after start() set it).
  std::shared_ptr<const mls::GroupConfig> group_config_;
  const std::shared_ptr<const mls::GroupConfig>& shared_group_config();
  std::uint64_t seed_, run_;
  std::vector<DeviceSlot> devices_;
  std::vector<ReadState> reading_;  // by device
  // The identities and epoch facts the devices' epoch trees record (one for the run).
  std::shared_ptr<dmls::TreeTables> tree_tables_ = std::make_shared<dmls::TreeTables>();
  std::vector<DeviceIndex> first_of_user_;  // by user, and the device count at the end
  std::unordered_map<std::string, DeviceIndex> device_by_name_;
  std::unordered_map<sim::EndpointId, DeviceIndex> device_of_endpoint_;
  std::vector<std::optional<MlsEvent>> mls_events_;  // by EventIndex
  std::vector<Outgoing> outgoing_;
  std::vector<std::uint32_t> free_outgoing_;
  sim::MessageClass send_class_ = 0, commit_class_ = 0, claim_class_ = 0, to_device_class_ = 0,
                    upload_class_ = 0;
  std::vector<Claim> claims_;
  std::vector<RemoteClaim> remote_claims_;
  std::vector<std::shared_ptr<WelcomeOut>> welcome_requests_;  // by payload of the hop up
  std::vector<ToDeviceWelcome> to_device_;                     // by ToDevice id
  std::map<DeviceIndex, std::vector<std::uint32_t>> inbox_;    // undelivered to-device, by device
  ReadLedger ledger_;
  // The expected readers of the last message sent, and the state they were found in (held, so
  // that its address names it).
  matrix::SharedState expected_state_;
  std::vector<bool> expected_;
  // Application messages carry a serial in their first 8 plaintext bytes; by serial, the ledger's
  // index (UINT32_MAX until the event exists): how a message a tree releases later is found.
  std::vector<std::uint32_t> ledger_of_serial_;
  // Devices per current epoch (by epoch authenticator): one entry when the group is one.
  std::map<mls::Bytes, std::uint32_t, mls::BytesLess> epoch_population_;
  // Re-reads device d's current epoch into epoch_population_; signals epoch_changed.
  void refresh_epoch(DeviceIndex d);
  Counts counts_;
};

}  // namespace dmlssim::models::device
