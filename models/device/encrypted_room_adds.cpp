// Adding devices to an encrypted room's group: KeyPackage stock on the servers, claims through
// the committer's server (POST /user/keys/claim to the targets' servers), the Add commit, and its
// Welcome as to-device messages once the commit is merged. See encrypted_room.hpp.
#include <algorithm>

#include "models/device/encrypted_room.hpp"
#include "models/mls/wire_types.hpp"

namespace dmlssim::models::device {
namespace {

// POST /keys/claim from a client: the request line and headers, and a user/device pair per target.
constexpr std::uint32_t kClaimRequestBytes = 300;
constexpr std::uint32_t kClaimBytesPerTarget = 80;
// A KeyPackage in a claim answer or an upload: base64 of its encoding in a JSON object.
constexpr std::uint32_t kKeyJsonOverhead = 100;

std::uint32_t key_json_bytes(const mls::KeyPackage& kp) {
  return static_cast<std::uint32_t>((4 * mls::encode_one(kp).size() + 2) / 3) + kKeyJsonOverhead;
}

// The upload of one of the device's KeyPackages (the newest it holds; it makes one when it holds
// none, as it would to upload it).
std::uint32_t upload_bytes(Device& device, const mls::CryptoProvider& crypto) {
  if (device.key_packages() == 0) device.new_key_package(crypto);
  return key_json_bytes(device.key_package(device.key_packages() - 1));
}

}  // namespace

void EncryptedRoom::setup_adds() {
  const sim::ProtocolId protocol = links_.add_protocol(
      "client_keys", [this](const sim::ClientMessage& m) { on_adds_message(m); },
      [this](const sim::ClientMessage& m) {
        // A request lost on the way up: a claim ends unanswered, a Welcome is not released.
        if (m.cls == claim_class_) {
          claims_[m.payload].open = false;
          ++counts_.claims_failed;
        } else if (m.cls == to_device_class_) {
          ++counts_.welcomes_dropped;
        } else if (m.cls == upload_class_) {
          --devices_[static_cast<DeviceIndex>(m.payload)].uploading;  // tried again when online
        }
      });
  claim_class_ = links_.add_class(protocol, "client_keys_claim");
  to_device_class_ = links_.add_class(protocol, "client_to_device");
  upload_class_ = links_.add_class(protocol, "client_keys_upload");
  federation_.enable_key_claims(
      [this](sim::NodeId server, std::uint32_t remote) { return claim_at(server, remote); });
  federation_.signals().keys_claimed.connect(
      [this](sim::NodeId, sim::NodeId, std::uint32_t remote, bool ok) {
        Claim& c = claims_[remote_claims_[remote].claim];
        if (!ok) {
          for (std::size_t i = 0; i < c.targets.size(); ++i) {
            if (devices_[c.targets[i]].device.homeserver() == remote_claims_[remote].server)
              ++counts_.claims_failed;
          }
        }
        if (--c.outstanding == 0) claim_finished(remote_claims_[remote].claim);
      });
  federation_.signals().to_device_received.connect(
      [this](sim::NodeId, sim::NodeId, matrix::ToDevice m) {
        deliver_to_device(to_device_[m.id].target, m.id);
      });
  links_.add_online_listener([this](sim::EndpointId endpoint, bool online) {
    if (!online) return;
    for (auto& [d, ids] : inbox_) {
      if (devices_[d].endpoint != endpoint) continue;
      for (const std::uint32_t id : ids)
        links_.send_down(endpoint, to_device_[id].welcome->bytes, to_device_class_, id);
    }
    if (const auto d = device_of_endpoint_.find(endpoint); d != device_of_endpoint_.end())
      refill_key_packages(d->second);
  });
}

std::vector<DeviceIndex> EncryptedRoom::devices_to_add(DeviceIndex d) const {
  std::vector<DeviceIndex> out;
  const mls::Group* g = group(d);
  if (g == nullptr) return out;
  std::vector<bool> in_group(devices_.size(), false);
  const mls::RatchetTree& tree = g->public_state().tree;
  for (mls::LeafIndex leaf = 0; leaf < tree.leaf_count(); ++leaf) {
    const mls::LeafNode* node = tree.leaf(leaf);
    if (node == nullptr) continue;
    if (const std::optional<DeviceIndex> member = device_of_identity(node->credential.identity))
      in_group[*member] = true;
  }
  for (std::size_t u = 0; u < federation_.room().users().size(); ++u) {
    if (!joined_at_server(d, u)) continue;
    for (std::uint32_t k = 0; k < device_count(u); ++k) {
      const DeviceIndex t = first_device(u) + k;
      if (!in_group[t]) out.push_back(t);
    }
  }
  return out;
}

EncryptedRoom::SendResult EncryptedRoom::add_devices(DeviceIndex d,
                                                     std::vector<DeviceIndex> targets) {
  if (targets.empty()) return {false, "nothing to add"};
  if (!online(d)) return {false, "offline"};
  const mls::Group* g = group(d);
  if (g == nullptr) return {false, "no group"};
  if (g->has_pending_commit()) return {false, "commit pending"};
  Claim c;
  c.committer = d;
  c.packages.resize(targets.size());
  c.targets = std::move(targets);
  c.open = true;
  const auto bytes =
      kClaimRequestBytes + kClaimBytesPerTarget * static_cast<std::uint32_t>(c.targets.size());
  claims_.push_back(std::move(c));
  links_.send_up(devices_[d].endpoint, bytes, claim_class_, claims_.size() - 1);
  return {true, ""};
}

void EncryptedRoom::on_adds_message(const sim::ClientMessage& m) {
  if (m.cls == claim_class_) {
    if (m.up) {
      claim_arrived(static_cast<std::uint32_t>(m.payload));
    } else {
      claim_answered(static_cast<std::uint32_t>(m.payload));
    }
  } else if (m.cls == to_device_class_) {
    if (m.up) {
      welcome_request_arrived(static_cast<std::uint32_t>(m.payload));
    } else {
      to_device_arrived(
          static_cast<DeviceIndex>(to_device_[static_cast<std::uint32_t>(m.payload)].target),
          static_cast<std::uint32_t>(m.payload));
    }
  } else if (m.cls == upload_class_ && m.up) {
    DeviceSlot& slot = devices_[static_cast<DeviceIndex>(m.payload)];
    --slot.uploading;
    ++slot.stock;
  }
}

// At the committer's server: claim its own users' packages at once, ask the other servers.
void EncryptedRoom::claim_arrived(std::uint32_t claim) {
  Claim& c = claims_[claim];
  const sim::NodeId home = devices_[c.committer].device.homeserver();
  std::vector<sim::NodeId> remote;
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    const sim::NodeId s = devices_[c.targets[i]].device.homeserver();
    if (s == home) {
      c.packages[i] = take_key_package(c.targets[i]);
    } else if (std::find(remote.begin(), remote.end(), s) == remote.end()) {
      remote.push_back(s);
    }
  }
  for (const sim::NodeId s : remote) {
    std::uint32_t n = 0;
    for (const DeviceIndex t : c.targets)
      n += devices_[t].device.homeserver() == s ? 1 : 0;
    remote_claims_.push_back(RemoteClaim{claim, s});
    if (federation_.server(home).claim_keys(
            s, static_cast<std::uint32_t>(remote_claims_.size() - 1), n)) {
      ++c.outstanding;
    } else {
      counts_.claims_failed += n;
    }
  }
  if (c.outstanding == 0) claim_finished(claim);
}

std::uint32_t EncryptedRoom::claim_at(sim::NodeId server, std::uint32_t remote) {
  Claim& c = claims_[remote_claims_[remote].claim];
  std::uint32_t bytes = 0;
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    if (devices_[c.targets[i]].device.homeserver() != server) continue;
    c.packages[i] = take_key_package(c.targets[i]);
    if (c.packages[i]) bytes += key_json_bytes(*c.packages[i]);
  }
  return bytes;
}

// One package of the device's stock (made now: the device made and uploaded it earlier, from its
// own randomness), or its last resort when the stock is empty. A claimed package is replaced by an
// upload from the device when it is online.
std::optional<mls::KeyPackage> EncryptedRoom::take_key_package(DeviceIndex d) {
  DeviceSlot& slot = devices_[d];
  const mls::CryptoProvider& crypto = *config_.group.crypto;
  if (slot.stock > 0) {
    --slot.stock;
    ++counts_.key_packages_claimed;
    mls::KeyPackage kp = slot.device.new_key_package(crypto);
    refill_key_packages(d);
    return kp;
  }
  ++counts_.last_resort_used;
  if (!slot.last_resort) {
    slot.last_resort =
        slot.device.new_key_package(crypto, {0, ~std::uint64_t{0}}, /*last_resort=*/true);
  }
  return slot.last_resort;
}

void EncryptedRoom::claim_finished(std::uint32_t claim) {
  Claim& c = claims_[claim];
  std::uint32_t bytes = 200;
  for (const auto& kp : c.packages)
    bytes += kp ? key_json_bytes(*kp) : 0;
  links_.send_down(devices_[c.committer].endpoint, bytes, claim_class_, claim);
}

// Back at the committer: commit the Adds of what was claimed, with the Removes due.
void EncryptedRoom::claim_answered(std::uint32_t claim) {
  Claim& c = claims_[claim];
  if (!c.open) return;
  c.open = false;
  const DeviceIndex d = c.committer;
  if (group(d) == nullptr) return;
  mls::CommitOptions options;
  options.by_value = removals_due(d);
  const std::vector<DeviceIndex> missing = devices_to_add(d);
  std::vector<DeviceIndex> added;
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    if (!c.packages[i]) continue;
    if (std::find(missing.begin(), missing.end(), c.targets[i]) == missing.end()) continue;
    options.by_value.push_back(mls::Proposal{mls::AddProposal{std::move(*c.packages[i])}});
    added.push_back(c.targets[i]);
  }
  c.packages.clear();
  if (options.by_value.empty()) return;
  commit_adding(d, std::move(options), std::move(added));
}

void EncryptedRoom::discard_pending(DeviceIndex d) {
  devices_[d].pending_welcome.reset();
  devices_[d].dmls_pending = false;  // a DMLS commit that never went out blocks nothing more
  if (mls::Group* g = mutable_group(d)) {
    if (g->has_pending_commit()) g->discard_pending_commit();
  }
}

// The commit is merged: the device asks its server to send the Welcome to every new device.
void EncryptedRoom::release_welcome(DeviceIndex d, matrix::EventIndex commit_event) {
  std::shared_ptr<WelcomeOut> welcome = std::move(devices_[d].pending_welcome);
  if (welcome == nullptr) return;
  welcome->commit_event = commit_event;
  welcome_requests_.push_back(welcome);
  if (welcome->via_media) return upload_welcome(d, welcome_requests_.size() - 1);
  links_.send_up(
      devices_[d].endpoint,
      kClaimRequestBytes + welcome->bytes * static_cast<std::uint32_t>(welcome->targets.size()),
      to_device_class_, welcome_requests_.size() - 1);
}

void EncryptedRoom::welcome_request_arrived(std::uint32_t index) {
  std::shared_ptr<WelcomeOut> welcome = std::move(welcome_requests_[index]);
  for (const DeviceIndex t : welcome->targets) {
    to_device_.push_back(ToDeviceWelcome{welcome, t});
    const auto id = static_cast<std::uint32_t>(to_device_.size() - 1);
    if (federation_.server(welcome->origin)
            .send_to_device(devices_[t].device.homeserver(),
                            matrix::ToDevice{id, welcome->bytes})) {
      ++counts_.welcomes_sent;
    } else {
      ++counts_.welcomes_dropped;
    }
  }
}

void EncryptedRoom::deliver_to_device(DeviceIndex target, std::uint32_t id) {
  inbox_[target].push_back(id);
  if (online(target))
    links_.send_down(devices_[target].endpoint, to_device_[id].welcome->bytes, to_device_class_,
                     id);
}

void EncryptedRoom::to_device_arrived(DeviceIndex d, std::uint32_t id) {
  const auto box = inbox_.find(d);
  if (box == inbox_.end()) return;
  const auto it = std::find(box->second.begin(), box->second.end(), id);
  if (it == box->second.end()) return;  // delivered already (sent again on coming online)
  box->second.erase(it);
  if (box->second.empty()) inbox_.erase(box);
  if (group(d) != nullptr) {
    // In the group already (another Welcome was faster). Under DMLS the device may only be on a
    // fork a merge is about to close (the Welcome is the merged epoch's): kept until the device
    // is out of its group, then used.
    if (config_.dmls) {
      devices_[d].deferred_welcomes.push_back(id);
    } else {
      to_device_[id].welcome.reset();
    }
    return;
  }
  join_by_welcome(d, id);
}

void EncryptedRoom::use_deferred_welcome(DeviceIndex d) {
  std::vector<std::uint32_t>& deferred = devices_[d].deferred_welcomes;
  while (!deferred.empty() && group(d) == nullptr) {
    const std::uint32_t id = deferred.front();
    deferred.erase(deferred.begin());
    if (!join_by_welcome(d, id)) return;  // goes on when the file has come
  }
}

bool EncryptedRoom::join_by_welcome(DeviceIndex d, std::uint32_t id) {
  if (to_device_[id].welcome->via_media && !to_device_[id].fetched) {
    download_welcome(id);
    return false;
  }
  const std::shared_ptr<WelcomeOut> welcome = std::move(to_device_[id].welcome);
  try {
    join_from_welcome(d, std::get<mls::Welcome>(welcome->welcome->body));
  } catch (const std::exception&) {
    ++counts_.join_failures;
    return true;
  }
  ++counts_.joins;
  devices_[d].epoch_commit = welcome->commit_event;
  refresh_epoch(d);
  joined(d);
  // Commits it synced before it could process them, in the order it got them.
  std::vector<matrix::EventIndex> early = std::move(devices_[d].early_commits);
  for (const matrix::EventIndex e : early)
    process_commit(d, e);
  return true;
}

void EncryptedRoom::refill_key_packages(DeviceIndex d) {
  DeviceSlot& slot = devices_[d];
  if (!online(d)) return;
  // A replacement has the size of the device's packages (one identity, one suite: all alike).
  while (slot.stock + slot.uploading < config_.key_packages) {
    ++slot.uploading;
    links_.send_up(slot.endpoint,
                   kClaimRequestBytes + upload_bytes(slot.device, *config_.group.crypto),
                   upload_class_, d);
  }
}

}  // namespace dmlssim::models::device
