// DMLS: fetching a commit the device's sync will never bring. A server soft-fails a commit whose
// sender its resolved state no longer admits (a member kicked or banned on one side while it
// committed on the other) and does not send it to clients; a device holding a message or commit
// of the epoch that commit created asks its homeserver for the event by ID (the client-server
// API's GET /rooms/{roomId}/event/{eventId}, as the event's `prev_commit_event_id` or
// `commit_event_id` names it). See encrypted_room.hpp.
#include "models/device/encrypted_room.hpp"

namespace dmlssim::models::device {
namespace {

constexpr std::uint32_t kGetEventRequestBytes = 300;  // the HTTP request with its path

std::uint64_t pack(DeviceIndex d, matrix::EventIndex e) {
  return (static_cast<std::uint64_t>(d) << 32) | e;
}

}  // namespace

void EncryptedRoom::setup_fetch() {
  const sim::ProtocolId protocol = links_.add_protocol(
      "client_events",
      [this](const sim::ClientMessage& m) {
        const auto d = static_cast<DeviceIndex>(m.payload >> 32);
        const auto e = static_cast<matrix::EventIndex>(m.payload & 0xffffffffU);
        if (m.up) {
          // The server answers with the event it holds (soft-failed events are kept).
          links_.send_down(devices_[d].endpoint,
                           federation_.room().pdu_bytes(e) + ClientSync::kSyncOverhead,
                           fetch_class_, m.payload);
        } else {
          commit_synced(d, e);  // handled as a synced commit: the strategy decides
        }
      },
      [this](const sim::ClientMessage& m) {
        // Lost on the way up: asked again when the device comes back online.
        fetch_lost_.push_back(m.payload);
      });
  fetch_class_ = links_.add_class(protocol, "client_get_event");
  federation_.signals().event_admitted.connect([this](sim::NodeId server, matrix::EventIndex e,
                                                      matrix::EventStatus status, matrix::Arrival) {
    if (status == matrix::EventStatus::kOutlier) return;  // not in the room's DAG yet
    const auto it = awaiting_.find(e);
    if (it == awaiting_.end()) return;
    // Settled at this server: soft-failed ones are fetched; accepted ones come by sync.
    std::vector<DeviceIndex>& devices = it->second;
    for (auto d = devices.begin(); d != devices.end();) {
      if (devices_[*d].device.homeserver() != server) {
        ++d;
        continue;
      }
      if (status == matrix::EventStatus::kSoftFailed) fetch(*d, e);
      d = devices.erase(d);
    }
    if (devices.empty()) awaiting_.erase(it);
  });
  links_.add_online_listener([this](sim::EndpointId endpoint, bool online) {
    if (!online || fetch_lost_.empty()) return;
    const DeviceIndex d = device_of_endpoint_.at(endpoint);
    std::vector<std::uint64_t> again;
    for (auto it = fetch_lost_.begin(); it != fetch_lost_.end();) {
      if (static_cast<DeviceIndex>(*it >> 32) == d) {
        again.push_back(*it);
        it = fetch_lost_.erase(it);
      } else {
        ++it;
      }
    }
    for (const std::uint64_t p : again)
      links_.send_up(endpoint, kGetEventRequestBytes, fetch_class_, p);
  });
}

void EncryptedRoom::need_commit(DeviceIndex d, matrix::EventIndex commit) {
  if (commit == matrix::kNoEvent) return;
  switch (federation_.server(devices_[d].device.homeserver()).status(commit)) {
    case matrix::EventStatus::kSoftFailed:
      fetch(d, commit);
      break;
    case matrix::EventStatus::kAccepted:
    case matrix::EventStatus::kRejected:
      break;  // sync brings it (or brought it), or nobody will
    default: {
      // Not at the server yet: fetched if it is soft-failed when it comes.
      std::vector<DeviceIndex>& devices = awaiting_[commit];
      if (std::find(devices.begin(), devices.end(), d) == devices.end()) devices.push_back(d);
    }
  }
}

void EncryptedRoom::fetch(DeviceIndex d, matrix::EventIndex commit) {
  if (!fetching_.insert(pack(d, commit)).second) return;  // asked already
  ++counts_.commits_fetched;
  if (links_.online(devices_[d].endpoint)) {
    links_.send_up(devices_[d].endpoint, kGetEventRequestBytes, fetch_class_, pack(d, commit));
  } else {
    fetch_lost_.push_back(pack(d, commit));
  }
}

}  // namespace dmlssim::models::device
