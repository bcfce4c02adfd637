#include "models/device/device.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace dmlssim::models::device {

Device::Device(std::string user_id, std::string device_id, sim::NodeId homeserver, mls::Drbg drbg)
    : user_id_(std::move(user_id)),
      device_id_(std::move(device_id)),
      name_(user_id_ + "/" + device_id_),
      homeserver_(homeserver),
      drbg_(std::move(drbg)) {}

mls::KeyPackage Device::fresh_key_package(const mls::CryptoProvider& crypto, mls::Lifetime lifetime,
                                          mls::KeyPackageSecrets& secrets) {
  const mls::Bytes init = drbg_.bytes(32), encryption = drbg_.bytes(32),
                   signature = drbg_.bytes(32);
  return mls::make_key_package(crypto, identity(), init, encryption, signature, lifetime, &secrets);
}

const mls::KeyPackage& Device::new_key_package(const mls::CryptoProvider& crypto,
                                               mls::Lifetime lifetime, bool last_resort) {
  OwnKeyPackage own;
  own.package = fresh_key_package(crypto, lifetime, own.secrets);
  own.ref = mls::key_package_ref(own.package);
  own.last_resort = last_resort;
  key_packages_.push_back(std::move(own));
  return key_packages_.back().package;
}

std::pair<mls::Group, mls::MlsMessage> Device::join_external(const mls::GroupConfig& config,
                                                             const mls::GroupInfo& info,
                                                             const mls::RatchetTree& tree,
                                                             std::optional<mls::LeafIndex> resync) {
  mls::KeyPackageSecrets secrets;
  const mls::KeyPackage package =
      fresh_key_package(*config.crypto, mls::Lifetime{0, ~std::uint64_t{0}}, secrets);
  return mls::Group::join_external(config, info, tree, package, secrets, resync, drbg_.fork());
}

const mls::KeyPackageSecrets* Device::secrets_for(const mls::Bytes& ref) const {
  for (const OwnKeyPackage& k : key_packages_) {
    if (k.ref == ref) return &k.secrets;
  }
  return nullptr;
}

void Device::forget_key_package(const mls::Bytes& ref) {
  key_packages_.erase(std::remove_if(key_packages_.begin(), key_packages_.end(),
                                     [&](const OwnKeyPackage& k) { return k.ref == ref; }),
                      key_packages_.end());
}

const mls::Group* Device::group(const std::string& room_id) const {
  const auto it = rooms_.find(room_id);
  return it == rooms_.end() ? nullptr : std::get_if<mls::Group>(&it->second);
}

mls::Group* Device::group(const std::string& room_id) {
  return const_cast<mls::Group*>(std::as_const(*this).group(room_id));
}

const dmls::EpochTree* Device::tree(const std::string& room_id) const {
  const auto it = rooms_.find(room_id);
  return it == rooms_.end() ? nullptr : std::get_if<dmls::EpochTree>(&it->second);
}

dmls::EpochTree* Device::tree(const std::string& room_id) {
  return const_cast<dmls::EpochTree*>(std::as_const(*this).tree(room_id));
}

mls::Group& Device::create_group(const std::string& room_id, const mls::GroupConfig& config,
                                 mls::Bytes group_id) {
  if (key_packages_.empty()) throw std::logic_error(name_ + ": no KeyPackage to found a group");
  const OwnKeyPackage own = key_packages_.front();
  key_packages_.erase(key_packages_.begin());
  return rooms_[room_id].emplace<mls::Group>(
      mls::Group::create(config, std::move(group_id), own.package, own.secrets, {}, drbg_.fork()));
}

mls::Group& Device::join_group(const std::string& room_id, const mls::GroupConfig& config,
                               const mls::Welcome& welcome, const mls::PskSources& psks) {
  return join_group(room_id, std::make_shared<const mls::GroupConfig>(config), welcome, psks);
}

mls::Group& Device::join_group(const std::string& room_id,
                               std::shared_ptr<const mls::GroupConfig> config,
                               const mls::Welcome& welcome, const mls::PskSources& psks) {
  for (const mls::EncryptedGroupSecrets& s : welcome.secrets) {
    const auto it = std::find_if(key_packages_.begin(), key_packages_.end(),
                                 [&](const OwnKeyPackage& k) { return k.ref == s.new_member; });
    if (it == key_packages_.end()) continue;
    mls::Group joined = mls::Group::join(std::move(config), welcome, it->package, it->secrets,
                                         std::nullopt, psks, drbg_.fork());
    if (!it->last_resort) key_packages_.erase(it);  // used: its private keys go (RFC 9420 §16.8)
    return rooms_[room_id].emplace<mls::Group>(std::move(joined));
  }
  throw std::invalid_argument(name_ + ": the Welcome names none of this device's KeyPackages");
}

dmls::EpochTree& Device::hold_as_tree(const std::string& room_id, const mls::CryptoProvider& crypto,
                                      std::shared_ptr<dmls::TreeTables> tables) {
  RoomCrypto& held = rooms_.at(room_id);
  mls::Group* g = std::get_if<mls::Group>(&held);
  if (g == nullptr) throw std::logic_error(name_ + ": no MLS group to hold as an epoch tree");
  mls::Group root = std::move(*g);
  return held.emplace<dmls::EpochTree>(crypto, std::move(root), std::move(tables));
}

}  // namespace dmlssim::models::device
