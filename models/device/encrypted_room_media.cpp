// Welcomes too large for a to-device message go through the media repository, as MSC4256 and
// Linearized Matrix suggest for group state that outgrows an event (a Welcome carries the ratchet
// tree: about 300 bytes a member, so beyond ~200 members it no longer fits 65,536 bytes):
//
//   committer --POST /_matrix/media/v3/upload (the Welcome, binary)--> its server (the origin)
//   committer <--{"content_uri": "mxc://origin/id"}--------------------- origin
//   committer --PUT /sendToDevice ({url, sha256, size} per new device)--> origin --EDU--> target's
//   server --sync--> target device
//   target --GET /_matrix/client/v1/media/download/origin/id--> its server, which serves the file
//   from its own store or fetches it once (GET /_matrix/federation/v1/media/download/id) and keeps
//   it, as Synapse's remote media cache does; every device of that server waiting for the file is
//   served from the one fetch.
//
// A fetch that fails (origin unreachable) is answered with an error; the device asks again after
// kMediaRetry while it still holds no group. A device that goes offline with an upload or a
// download unanswered sends it again when it is back (what was in flight is lost with the
// session). See encrypted_room.hpp.
#include <algorithm>
#include <map>
#include <vector>

#include "models/device/encrypted_room.hpp"

namespace dmlssim::models::device {
namespace {

constexpr std::uint32_t kUploadRequestHeaders = 300;  // POST with Content-Type, Content-Length
constexpr std::uint32_t kUploadAnswerBytes = 250;     // headers and {"content_uri": "mxc://..."}
constexpr std::uint32_t kDownloadRequestBytes = 300;  // GET with the server name and media ID
constexpr std::uint32_t kToDeviceRequestBytes = 300;  // PUT /sendToDevice: line and headers
constexpr std::uint32_t kDownloadAnswerHeaders = 250;
constexpr std::uint32_t kErrorAnswerBytes = 250;  // a 502 with its JSON error
// A to-device message pointing at the file: {"url": "mxc://...", "sha256": ..., "size": ...}.
constexpr std::uint32_t kMediaReferenceBytes = 130;
// A client asks again this long after a failed download.
constexpr sim::SimTime kMediaRetry = sim::SimTime::from_ns(60'000'000'000);
constexpr std::uint64_t kFailedFlag = std::uint64_t{1} << 32;

std::uint64_t held_key(sim::NodeId server, std::uint32_t file) {
  return (static_cast<std::uint64_t>(server) << 32) | file;
}

// Takes `id` off device d's list (the entry goes with its last id); whether it was there.
bool take_off(std::map<DeviceIndex, std::vector<std::uint32_t>>& lists, DeviceIndex d,
              std::uint32_t id) {
  const auto it = lists.find(d);
  if (it == lists.end()) return false;
  std::vector<std::uint32_t>& list = it->second;
  const auto at = std::find(list.begin(), list.end(), id);
  if (at == list.end()) return false;
  list.erase(at);
  if (list.empty()) lists.erase(it);
  return true;
}

}  // namespace

void EncryptedRoom::setup_media() {
  const sim::ProtocolId protocol = links_.add_protocol(
      "client_media",
      [this](const sim::ClientMessage& m) {
        const auto index = static_cast<std::uint32_t>(m.payload);
        if (m.cls == media_upload_class_) {
          if (m.up) {
            upload_arrived(index);
          } else {
            upload_answered(index);
          }
        } else if (m.up) {
          download_requested(index);
        } else {
          download_answered(index, (m.payload & kFailedFlag) == 0);
        }
      },
      [this](const sim::ClientMessage& m) {
        const auto index = static_cast<std::uint32_t>(m.payload);
        if (m.cls == media_upload_class_) {
          // The server is down: the Welcome is not sent (as a to-device request lost).
          forget_upload(index);
          ++counts_.welcomes_dropped;
        } else {
          // Asked again when the device is next online (it is still pending).
          to_device_[index].downloading = false;
        }
      });
  media_upload_class_ = links_.add_class(protocol, "client_media_upload");
  media_download_class_ = links_.add_class(protocol, "client_media_download");
  federation_.enable_media([this](sim::NodeId server, std::uint32_t file) -> std::uint32_t {
    return media_held_.count(held_key(server, file)) != 0 ? media_files_[file].bytes : 0;
  });
  federation_.signals().media_downloaded.connect(
      [this](sim::NodeId server, sim::NodeId, std::uint32_t file, bool ok) {
        file_fetched(server, file, ok);
      });
  // A server that crashes forgets its fetches: the devices waiting get no answer and ask again
  // after kMediaRetry.
  federation_.network().reachability().add_node_listener([this](sim::NodeId server, bool up) {
    if (up || media_waiting_.empty()) return;
    for (auto it = media_waiting_.lower_bound(held_key(server, 0));
         it != media_waiting_.end() && (it->first >> 32) == server;) {
      for (const std::uint32_t id : it->second) {
        to_device_[id].downloading = false;
        retry_download_later(id);
      }
      it = media_waiting_.erase(it);
    }
  });
  links_.add_online_listener([this](sim::EndpointId endpoint, bool online) {
    if (!online || (media_pending_.empty() && uploads_pending_.empty())) return;
    const auto d = device_of_endpoint_.find(endpoint);
    if (d == device_of_endpoint_.end()) return;
    if (const auto up = uploads_pending_.find(d->second); up != uploads_pending_.end()) {
      for (const std::uint32_t request : up->second)
        send_upload(d->second, request);
    }
    if (const auto down = media_pending_.find(d->second); down != media_pending_.end()) {
      const std::vector<std::uint32_t> ids = down->second;
      for (const std::uint32_t id : ids) {
        to_device_[id].downloading = false;
        download_welcome(id);
      }
    }
  });
}

void EncryptedRoom::forget_upload(std::uint32_t request) {
  take_off(uploads_pending_, welcome_requests_[request]->committer, request);
  welcome_requests_[request].reset();
}

bool EncryptedRoom::too_large_for_event(std::uint32_t bytes) const {
  return bytes > config_.max_event_bytes;
}

void EncryptedRoom::upload_welcome(DeviceIndex d, std::uint32_t request) {
  uploads_pending_[d].push_back(request);
  send_upload(d, request);
}

void EncryptedRoom::send_upload(DeviceIndex d, std::uint32_t request) {
  links_.send_up(devices_[d].endpoint,
                 kUploadRequestHeaders + welcome_requests_[request]->file_bytes,
                 media_upload_class_, request);
}

// At the origin: the file is stored (once: an upload sent again is answered with the same
// file); the answer names it.
void EncryptedRoom::upload_arrived(std::uint32_t request) {
  if (welcome_requests_[request] == nullptr) return;  // sent on already (an upload sent again)
  WelcomeOut& welcome = *welcome_requests_[request];
  if (welcome.media_id == UINT32_MAX) {
    welcome.media_id = static_cast<std::uint32_t>(media_files_.size());
    media_files_.push_back(MediaFile{welcome.origin, welcome.file_bytes});
    media_held_.insert(held_key(welcome.origin, welcome.media_id));
    ++counts_.media_uploads;
  }
  links_.send_down(devices_[welcome.committer].endpoint, kUploadAnswerBytes, media_upload_class_,
                   request);
}

// Back at the committer: the to-device messages now carry the file's mxc URI.
void EncryptedRoom::upload_answered(std::uint32_t request) {
  if (welcome_requests_[request] == nullptr) return;  // answered before (sent again)
  const WelcomeOut& welcome = *welcome_requests_[request];
  if (!take_off(uploads_pending_, welcome.committer, request)) return;
  links_.send_up(
      devices_[welcome.committer].endpoint,
      kToDeviceRequestBytes + welcome.bytes * static_cast<std::uint32_t>(welcome.targets.size()),
      to_device_class_, request);
}

std::uint32_t EncryptedRoom::to_device_bytes(const WelcomeOut& welcome) {
  return welcome.via_media ? kToDeviceEnvelope + kMediaReferenceBytes
                           : kToDeviceEnvelope + (4 * welcome.file_bytes + 2) / 3;
}

void EncryptedRoom::download_welcome(std::uint32_t id) {
  ToDeviceWelcome& td = to_device_[id];
  const DeviceIndex d = td.target;
  std::vector<std::uint32_t>& pending = media_pending_[d];
  if (std::find(pending.begin(), pending.end(), id) == pending.end()) pending.push_back(id);
  if (td.downloading || !online(d)) return;
  td.downloading = true;
  links_.send_up(devices_[d].endpoint, kDownloadRequestBytes, media_download_class_, id);
}

// At the device's server: served from its store, or fetched from the origin once for all its
// devices waiting for the file.
void EncryptedRoom::download_requested(std::uint32_t id) {
  const ToDeviceWelcome& td = to_device_[id];
  // A request sent again after a session change may come after the device joined from the
  // answer to an earlier one (the hop's delays vary): nothing to serve.
  if (td.fetched || td.welcome == nullptr) return;
  const sim::NodeId server = devices_[td.target].device.homeserver();
  const std::uint32_t file = td.welcome->media_id;
  if (media_held_.count(held_key(server, file)) != 0) {
    links_.send_down(devices_[td.target].endpoint,
                     kDownloadAnswerHeaders + media_files_[file].bytes, media_download_class_, id);
    return;
  }
  std::vector<std::uint32_t>& waiting = media_waiting_[held_key(server, file)];
  waiting.push_back(id);
  if (waiting.size() > 1) return;  // a fetch is under way
  ++counts_.media_fetches;
  if (!federation_.server(server).download_media(media_files_[file].origin, file))
    file_fetched(server, file, false);
}

void EncryptedRoom::file_fetched(sim::NodeId server, std::uint32_t file, bool ok) {
  const auto it = media_waiting_.find(held_key(server, file));
  if (it == media_waiting_.end()) return;
  const std::vector<std::uint32_t> waiting = std::move(it->second);
  media_waiting_.erase(it);
  if (ok) {
    media_held_.insert(held_key(server, file));
  } else {
    ++counts_.media_fetches_failed;
  }
  for (const std::uint32_t id : waiting) {
    const sim::EndpointId endpoint = devices_[to_device_[id].target].endpoint;
    if (ok) {
      links_.send_down(endpoint, kDownloadAnswerHeaders + media_files_[file].bytes,
                       media_download_class_, id);
    } else {
      links_.send_down(endpoint, kErrorAnswerBytes, media_download_class_, id | kFailedFlag);
    }
  }
}

void EncryptedRoom::download_answered(std::uint32_t id, bool ok) {
  ToDeviceWelcome& td = to_device_[id];
  if (td.fetched || td.welcome == nullptr) return;  // an answer to a request sent again
  const DeviceIndex d = td.target;
  td.downloading = false;
  if (!ok) {
    ++counts_.media_downloads_failed;
    return retry_download_later(id);
  }
  ++counts_.media_downloads;
  td.fetched = true;
  take_off(media_pending_, d, id);
  if (group(d) == nullptr) {
    join_by_welcome(d, id);
    use_deferred_welcome(d);
  } else {
    welcome_not_needed(id);
  }
}

void EncryptedRoom::retry_download_later(std::uint32_t id) {
  sim_.schedule(kMediaRetry, [this, id] {
    const ToDeviceWelcome& td = to_device_[id];
    if (td.fetched || td.downloading || td.welcome == nullptr) return;
    if (group(td.target) == nullptr) {
      download_welcome(id);
    } else {
      welcome_not_needed(id);
    }
  });
}

// The device got into a group while it waited for the file: under DMLS the Welcome is kept for
// when it leaves a fork (as to_device_arrived does); under MLS it is of no use.
void EncryptedRoom::welcome_not_needed(std::uint32_t id) {
  const DeviceIndex d = to_device_[id].target;
  take_off(media_pending_, d, id);
  if (config_.dmls) {
    devices_[d].deferred_welcomes.push_back(id);
  } else {
    to_device_[id].welcome.reset();
  }
}

}  // namespace dmlssim::models::device
