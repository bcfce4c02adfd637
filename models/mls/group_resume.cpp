// Group: resumption into a new group, by ReInit (§11.2) or branch (§11.3).
#include "models/mls/group.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::mls {
namespace {

constexpr std::uint8_t kUsageReinit = 2;
constexpr std::uint8_t kUsageBranch = 3;

}  // namespace

PskSources Group::resumption_sources() const {
  PskSources out;
  std::uint32_t seen = 0;
  for (const ResumptionPsk* p = resumption_psks_.get();
       p != nullptr && seen <= config_->resumption_psks_kept; p = p->earlier.get(), ++seen) {
    out.resumption[group_id()].emplace(p->epoch, p->secrets->resumption_psk);  // newest wins
  }
  return out;
}

std::pair<Group, CommitOutput> Group::resume_into(Bytes new_group_id,
                                                  std::vector<Extension> extensions,
                                                  std::uint8_t usage, const KeyPackage& key_package,
                                                  const KeyPackageSecrets& secrets,
                                                  const std::vector<KeyPackage>& others,
                                                  Drbg drbg) const {
  GroupConfig config = *config_;
  config.cache = nullptr;  // another group: no transitions to share with this one's members
  Group next = create(config, std::move(new_group_id), key_package, secrets, std::move(extensions),
                      std::move(drbg));
  next.rare().psks = psks();
  next.rare().other_groups.resumption[group_id()][epoch()] = state_.secrets->resumption_psk;
  CommitOptions options;
  for (const KeyPackage& kp : others)
    options.by_value.push_back(Proposal{AddProposal{kp}});
  PreSharedKeyId psk;
  psk.type = PreSharedKeyId::kResumption;
  psk.usage = usage;
  psk.psk_group_id = group_id();
  psk.psk_epoch = epoch();
  psk.psk_nonce = next.drbg_.bytes(kHashLength);
  options.by_value.push_back(Proposal{PreSharedKeyProposal{psk}});
  CommitOutput out = next.commit(options);
  return {std::move(next), std::move(out)};
}

std::pair<Group, CommitOutput> Group::reinit_successor(const KeyPackage& key_package,
                                                       const KeyPackageSecrets& secrets,
                                                       const std::vector<KeyPackage>& others,
                                                       Drbg drbg) const {
  if (status_ != Status::kFrozen || !reinit()) {
    throw GroupError(Rejection::kNotAllowed, "no ReInit has been committed");
  }
  if (reinit()->version != kProtocolVersionMls10 || reinit()->cipher_suite != kCipherSuite1) {
    throw GroupError(Rejection::kWrongCipherSuite, "the ReInit asks for another version or suite");
  }
  if (key_package.cipher_suite != reinit()->cipher_suite) {
    throw GroupError(Rejection::kWrongCipherSuite, "our KeyPackage is for another suite");
  }
  return resume_into(reinit()->group_id, reinit()->extensions, kUsageReinit, key_package, secrets,
                     others, std::move(drbg));
}

std::pair<Group, CommitOutput> Group::branch(Bytes new_group_id, const KeyPackage& key_package,
                                             const KeyPackageSecrets& secrets,
                                             const std::vector<KeyPackage>& others,
                                             Drbg drbg) const {
  require_active();
  return resume_into(std::move(new_group_id), state_.pub->context.extensions, kUsageBranch,
                     key_package, secrets, others, std::move(drbg));
}

}  // namespace dmlssim::models::mls
