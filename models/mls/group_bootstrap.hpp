// A group of N members in one step, as it stands after every even leaf has committed with a path
// in leaf order (so every parent node is populated and the parent-hash chains are those real
// commits leave): the shared public state of the epoch and each member's private keys. Building
// the same group by N real commits costs O(N²) processing; scenarios and benchmarks at 10,000
// members start from this instead, then run the protocol for real.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/drbg.hpp"
#include "models/mls/epoch_state.hpp"
#include "models/mls/hpke.hpp"
#include "models/mls/key_package.hpp"
#include "models/mls/path_keys.hpp"

namespace dmlssim::models::mls {

struct BootstrappedGroup {
  EpochPublicPtr epoch;  // epoch 0, empty confirmed transcript hash (as a created group)
  EpochSecrets secrets;
  std::vector<KeyPackageSecrets> members;        // by leaf: signature and leaf encryption keys
  std::map<NodeIndex, HpkeKeyPair> parent_keys;  // every parent node's key pair

  // The private keys member `leaf` holds: its leaf and the parents on its direct path.
  PathKeys keys_of(LeafIndex leaf) const;
};

// Member m's basic credential is `identities[m]`; the overload without them names member m
// "@member<m>:bootstrap/DEV".
BootstrappedGroup bootstrap_group(const CryptoProvider& crypto, const Bytes& group_id,
                                  const std::vector<Bytes>& identities, Drbg& drbg);
BootstrappedGroup bootstrap_group(const CryptoProvider& crypto, const Bytes& group_id,
                                  std::uint32_t members, Drbg& drbg);

}  // namespace dmlssim::models::mls
