// A client device: one device of one user, living behind the user's homeserver. It holds what a
// real client holds — its KeyPackages with their private keys, and per room either one MLS group
// (RFC 9420) or one DMLS epoch tree — and is online or offline. The room's events reach it from
// its homeserver by sync (ClientSync, told to the room that holds it). It carries no strategy: who
// commits what, and when, is decided by the strategies (consensus/) through the device's narrow
// interface.
//
// Identity: "@u3:s1/D0" — the user ID, a slash, the device ID — is the device's MLS credential
// identity, so the server part of a member's identity names its homeserver (fork choice reads it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "models/dmls/epoch_tree.hpp"
#include "models/mls/drbg.hpp"
#include "models/mls/group.hpp"
#include "models/mls/key_package.hpp"
#include "sim/reachability.hpp"

namespace dmlssim::models::device {

// What a device holds for one room: nothing yet, an MLS group, or a DMLS epoch tree.
using RoomCrypto = std::variant<std::monostate, mls::Group, dmls::EpochTree>;

class Device {
 public:
  // `drbg` is the device's own randomness (key seeds, path secrets): fork it from the run's.
  Device(std::string user_id, std::string device_id, sim::NodeId homeserver, mls::Drbg drbg);
  Device(Device&&) noexcept = default;
  Device& operator=(Device&&) noexcept = default;

  const std::string& user_id() const { return user_id_; }
  const std::string& device_id() const { return device_id_; }
  // "@u3:s1/D0": the credential identity of the device's MLS leaves.
  const std::string& name() const { return name_; }
  mls::Bytes identity() const { return mls::to_bytes(name_); }
  sim::NodeId homeserver() const { return homeserver_; }
  mls::Drbg& drbg() { return drbg_; }

  bool online() const { return online_; }
  void set_online(bool online) { online_ = online; }

  // --- KeyPackages ---
  // Makes a fresh KeyPackage (its private keys kept until it is used) and returns it. A last-resort
  // package (RFC 9420 §16.8) keeps its keys when a Welcome uses it: it may serve again.
  const mls::KeyPackage& new_key_package(const mls::CryptoProvider& crypto,
                                         mls::Lifetime lifetime = {0, ~std::uint64_t{0}},
                                         bool last_resort = false);
  // The KeyPackages not used yet, oldest first.
  std::size_t key_packages() const { return key_packages_.size(); }
  const mls::KeyPackage& key_package(std::size_t i) const { return key_packages_.at(i).package; }
  // The private keys of a KeyPackage of this device, by its KeyPackageRef (null if unknown).
  const mls::KeyPackageSecrets* secrets_for(const mls::Bytes& ref) const;
  // The package with that ref is used (a Welcome consumed it): its keys go.
  void forget_key_package(const mls::Bytes& ref);

  // --- per room ---
  RoomCrypto& room(const std::string& room_id) { return rooms_[room_id]; }
  // The room's MLS group or epoch tree, or null when the device holds the other kind or none.
  mls::Group* group(const std::string& room_id);
  const mls::Group* group(const std::string& room_id) const;
  dmls::EpochTree* tree(const std::string& room_id);
  const dmls::EpochTree* tree(const std::string& room_id) const;
  // Founds the room's MLS group with the oldest unused KeyPackage.
  mls::Group& create_group(const std::string& room_id, const mls::GroupConfig& config,
                           mls::Bytes group_id);
  // Joins from a Welcome addressed to one of this device's KeyPackages (which is then used up).
  // Throws GroupError from the join, std::invalid_argument when no KeyPackage of this device is
  // named.
  mls::Group& join_group(const std::string& room_id, const mls::GroupConfig& config,
                         const mls::Welcome& welcome, const mls::PskSources& psks = {});
  // The same with a configuration other groups share (mls::Group::join).
  mls::Group& join_group(const std::string& room_id, std::shared_ptr<const mls::GroupConfig> config,
                         const mls::Welcome& welcome, const mls::PskSources& psks = {});
  // Joins the group of `info` by external commit (RFC 9420 §12.4.3.2) with the epoch's `tree`
  // and a fresh leaf (keys from the device's randomness, used once: no KeyPackage is stocked);
  // `resync`: the device's old leaf there, removed by the same commit. The group is returned,
  // not installed: the caller installs it once the commit has won. Throws GroupError.
  std::pair<mls::Group, mls::MlsMessage> join_external(const mls::GroupConfig& config,
                                                       const mls::GroupInfo& info,
                                                       const mls::RatchetTree& tree,
                                                       std::optional<mls::LeafIndex> resync);
  // Turns the room's group into a DMLS epoch tree rooted at its current epoch (`tables`: the
  // run's shared identities and epoch facts, or null for the tree's own).
  dmls::EpochTree& hold_as_tree(const std::string& room_id, const mls::CryptoProvider& crypto,
                                std::shared_ptr<dmls::TreeTables> tables = nullptr);

 private:
  // A KeyPackage of this device with keys from its randomness; `secrets` gets their private parts.
  mls::KeyPackage fresh_key_package(const mls::CryptoProvider& crypto, mls::Lifetime lifetime,
                                    mls::KeyPackageSecrets& secrets);
  struct OwnKeyPackage {
    mls::KeyPackage package;
    mls::KeyPackageSecrets secrets;
    mls::Bytes ref;
    bool last_resort = false;
  };
  std::string user_id_, device_id_, name_;
  sim::NodeId homeserver_;
  mls::Drbg drbg_;
  bool online_ = true;
  std::vector<OwnKeyPackage> key_packages_;
  std::map<std::string, RoomCrypto> rooms_;
};

}  // namespace dmlssim::models::device
