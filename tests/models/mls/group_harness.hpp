// A strongly consistent delivery service for group tests: every handshake message reaches every
// current member in one order; commits are merged by their sender when they come back.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/device/device.hpp"
#include "models/mls/group.hpp"
#include "models/mls/group_bootstrap.hpp"

namespace dmlssim::testing {

namespace mls = dmlssim::models::mls;

// The reason `g` refuses `m`; the test fails if it accepts it.
inline mls::Rejection reason_of(mls::Group& g, const mls::MlsMessage& m) {
  try {
    g.handle(m);
  } catch (const mls::GroupError& e) {
    return e.reason();
  }
  FAIL("the message was accepted");
  return mls::Rejection::kMalformed;
}

// A group of `members` built at once (fast crypto), and one configuration object for restoring
// its members (Group::restore), as a room's devices share one.
struct SharedBootstrap {
  mls::BootstrappedGroup boot;
  std::shared_ptr<const mls::GroupConfig> config;
};
inline SharedBootstrap shared_bootstrap(const std::string& group_id, std::uint32_t members,
                                        mls::Drbg& drbg, mls::GroupConfig config = {}) {
  config.crypto = &mls::fast_crypto();
  return {mls::bootstrap_group(mls::fast_crypto(), mls::to_bytes(group_id), members, drbg),
          std::make_shared<const mls::GroupConfig>(std::move(config))};
}

// Clients are device actors (models/device): each holds its KeyPackages and its group in the
// device's slot for kRoom.
class GroupHarness {
 public:
  static constexpr const char* kRoom = "!room:server";

  explicit GroupHarness(mls::GroupConfig config, std::uint8_t seed = 1)
      : config_(std::move(config)), rng_(mls::Bytes(32, seed)) {}

  struct Client {
    models::device::Device device;
    // The KeyPackage the client was made with, and its private keys: kept for the tests after
    // the device used them up.
    mls::KeyPackage key_package;
    mls::KeyPackageSecrets secrets;

    bool has_group() { return device.group(kRoom) != nullptr; }
    mls::Group& group() { return *device.group(kRoom); }
    void set_group(mls::Group g) { device.room(kRoom).emplace<mls::Group>(std::move(g)); }
    void drop_group() { device.room(kRoom) = std::monostate{}; }
  };

  // A fresh client (device "@user<id>:server/DEV") with a KeyPackage; returns its id.
  int new_client() {
    const int id = static_cast<int>(clients_.size());
    Client c{
        models::device::Device("@user" + std::to_string(id) + ":server", "DEV", 0, rng_.fork()),
        {},
        {}};
    c.key_package = c.device.new_key_package(*config_.crypto);
    c.secrets = *c.device.secrets_for(mls::key_package_ref(c.key_package));
    clients_.push_back(std::move(c));
    return id;
  }

  void create(int founder, mls::Bytes group_id = mls::to_bytes("group")) {
    clients_[founder].device.create_group(kRoom, config_, std::move(group_id));
  }

  // `n` fresh clients: the first founds the group and adds the others in one commit. Returns ids.
  std::vector<int> found(int n) {
    std::vector<int> ids;
    for (int i = 0; i < n; ++i)
      ids.push_back(new_client());
    create(ids[0]);
    mls::CommitOptions add;
    const std::vector<int> joiners(ids.begin() + 1, ids.end());
    for (const int j : joiners)
      add.by_value.push_back(mls::Proposal{mls::AddProposal{client(j).key_package}});
    commit(ids[0], add, joiners);
    return ids;
  }
  // Delivers `message` to every member but `except`; returns what each accepted.
  std::map<int, mls::Received> broadcast(const mls::MlsMessage& message, int except = -1) {
    std::map<int, mls::Received> out;
    for (int i = 0; i < static_cast<int>(clients_.size()); ++i) {
      Client& c = clients_[i];
      if (i == except || !c.has_group() || c.group().status() == mls::Group::Status::kRemoved)
        continue;
      out[i] = c.group().handle(message);
    }
    return out;
  }

  // `committer` commits; everyone processes it; joiners (clients whose KeyPackage was added)
  // join from the Welcome.
  mls::CommitOutput commit(int committer, const mls::CommitOptions& options = {},
                           const std::vector<int>& joiners = {}) {
    mls::CommitOutput out = clients_[committer].group().commit(options);
    broadcast(out.commit, committer);
    clients_[committer].group().handle(out.commit);  // the DS echoes it: merge
    for (const int j : joiners) {
      clients_[j].device.join_group(kRoom, config_, std::get<mls::Welcome>(out.welcome->body));
    }
    return out;
  }

  // Everyone who is a member sees the same epoch and epoch_authenticator.
  bool agree() {
    const mls::Bytes* auth = nullptr;
    for (Client& c : clients_) {
      if (!c.has_group() || c.group().status() != mls::Group::Status::kActive) continue;
      if (auth == nullptr) auth = &c.group().epoch_authenticator();
      if (c.group().epoch_authenticator() != *auth) return false;
    }
    return auth != nullptr;
  }

  std::vector<int> members() {
    std::vector<int> out;
    for (int i = 0; i < static_cast<int>(clients_.size()); ++i) {
      Client& c = clients_[i];
      if (c.has_group() && c.group().status() == mls::Group::Status::kActive) out.push_back(i);
    }
    return out;
  }

  Client& client(int id) { return clients_[id]; }
  const Client& client(int id) const { return clients_[id]; }
  mls::Group& group(int id) { return clients_[id].group(); }
  mls::Drbg& rng() { return rng_; }
  const mls::GroupConfig& config() const { return config_; }

 private:
  mls::GroupConfig config_;
  mls::Drbg rng_;
  std::vector<Client> clients_;
};

}  // namespace dmlssim::testing
