// Rejoining by external commit (RFC 9420 §12.4.3.2, "resync" when the device's old leaf is in the
// tree): what mls_first_seen's rejoin_after uses for a device left on a dead branch. Every commit
// event carries its committer's GroupInfo of the epoch it creates (external_pub, no tree); the
// ratchet tree comes from the device's homeserver, which can derive it from the PublicMessage
// commits it holds (the simulator hands over the epoch's public state, which is that tree). See
// encrypted_room.hpp.
#include "models/device/encrypted_room.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::device {
namespace {

constexpr std::uint32_t kTreeRequestBytes = 300;  // GET with the room and event in its path
constexpr std::uint32_t kTreeResponseHeaders = 300;

}  // namespace

void EncryptedRoom::setup_rejoin() {
  const sim::ProtocolId protocol = links_.add_protocol(
      "client_rejoin",
      [this](const sim::ClientMessage& m) {
        const auto d = static_cast<DeviceIndex>(m.payload);
        Rejoin* rejoin = devices_[d].rejoin.get();
        if (rejoin == nullptr) return;
        if (m.up) {
          // The server answers with the tree, binary (application/octet-stream).
          mls::TlsWriter encoded;
          rejoin->epoch->tree.encode(encoded);
          const auto bytes = static_cast<std::uint32_t>(encoded.take().size());
          links_.send_down(devices_[d].endpoint, bytes + kTreeResponseHeaders, rejoin_class_,
                           m.payload);
        } else {
          rejoin_tree_arrived(d);
        }
      },
      [this](const sim::ClientMessage& m) { abandon_rejoin(static_cast<DeviceIndex>(m.payload)); });
  rejoin_class_ = links_.add_class(protocol, "client_ratchet_tree");
}

const mls::GroupInfo* EncryptedRoom::commit_group_info(matrix::EventIndex e) const {
  if (e >= mls_events_.size() || !mls_events_[e]) return nullptr;
  return mls_events_[e]->group_info.get();
}

EncryptedRoom::SendResult EncryptedRoom::rejoin(DeviceIndex d, matrix::EventIndex commit_event) {
  if (config_.dmls) return {false, "dmls"};
  if (!online(d)) return {false, "offline"};
  DeviceSlot& slot = devices_[d];
  if (slot.rejoin) return {false, "rejoin pending"};
  if (commit_group_info(commit_event) == nullptr) return {false, "no group info"};
  ++counts_.rejoins_asked;
  const auto it = epoch_of_commit_.find(commit_event);
  mls::EpochPublicPtr epoch = it == epoch_of_commit_.end() ? nullptr : it->second.lock();
  if (!epoch) {
    ++counts_.rejoins_no_tree;
    return {false, "no tree"};
  }
  slot.rejoin = std::make_unique<Rejoin>();
  slot.rejoin->info_event = commit_event;
  slot.rejoin->epoch = std::move(epoch);
  links_.send_up(slot.endpoint, kTreeRequestBytes, rejoin_class_, d);
  return {true, ""};
}

void EncryptedRoom::rejoin_tree_arrived(DeviceIndex d) {
  DeviceSlot& slot = devices_[d];
  Rejoin& rejoin = *slot.rejoin;
  const mls::RatchetTree& tree = rejoin.epoch->tree;
  // Resync: the device's own old leaf, if the epoch still holds one.
  const std::optional<mls::LeafIndex> resync = tree.find_identity(slot.device.identity());
  const MlsEvent& info_event = *mls_events_[rejoin.info_event];
  try {
    auto [group, commit] =
        slot.device.join_external(config_.group, *info_event.group_info, tree, resync);
    Outgoing out;
    out.from = d;
    out.commit = true;
    out.external = true;
    out.epoch = info_event.group_info->group_context.epoch;
    out.epoch_commit = rejoin.info_event;
    out.message = std::make_shared<const mls::MlsMessage>(std::move(commit));
    out.encoded = mls::encode_one(*out.message);
    set_group_info(out, group.group_info(false, true));
    out.sent = sim_.now();
    rejoin.group = std::move(group);
    rejoin.epoch.reset();
    ++counts_.rejoins_sent;
    send_commit_up(std::move(out));
  } catch (const mls::GroupError&) {
    abandon_rejoin(d);
  }
}

void EncryptedRoom::abandon_rejoin(DeviceIndex d) {
  if (!devices_[d].rejoin) return;
  devices_[d].rejoin.reset();
  ++counts_.rejoins_abandoned;
}

bool EncryptedRoom::settle_rejoin(DeviceIndex d, const MlsEvent& ev) {
  DeviceSlot& slot = devices_[d];
  std::unique_ptr<Rejoin> rejoin = std::move(slot.rejoin);
  if (!(ev.external && ev.from == d)) {
    ++counts_.rejoins_lost;
    return false;
  }
  ++counts_.rejoins_won;
  // The old group goes (with any commit it had pending: that branch is left).
  if (mls::Group* old = mutable_group(d); old != nullptr && old->has_pending_commit())
    discard_pending(d);
  *slot.crypto = std::move(*rejoin->group);
  note_crypto(d);
  return true;
}

}  // namespace dmlssim::models::device
