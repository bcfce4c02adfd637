// The DMLS changes to the MLS key schedule (draft-kohbrok-mls-dmls §2, §4):
//   dmls_epoch          = DeriveSecret(epoch_secret, "epoch")            the epoch's identity
//   parent_init_secret  = DeriveSecret(epoch_secret, "parent_init")      keys the epoch's PPRF
//   commit_confirmation = DeriveSecret(commit_secret, "conf")
//   init_secret[child]  = DeriveChildSecret(parent_init_secret, "child_init",
//                                           commit_confirmation, GroupContext[child])
//   DeriveChildSecret(k, label, in, ctx) = DeriveFSSecret(k, ExpandWithLabel(in, label, ctx, Nh))
// The draft writes DeriveSecret(path_secret[n], "conf") with n numbering epochs; this reads the
// path secret of the commit that creates epoch n as its commit_secret (Nh zero bytes for a commit
// without a path), as -00's open question on "using the commit secret ... to derive the commit
// confirmation" does. Every other secret of the epoch is RFC 9420's.
#pragma once

#include <memory>
#include <optional>

#include "models/dmls/pprf.hpp"
#include "models/mls/successor_init.hpp"

namespace dmlssim::models::dmls {

Bytes dmls_epoch_of(const mls::CryptoProvider& crypto, const mls::EpochSecrets& secrets);

// The PSK a merge takes from a losing head (merge.hpp): MLS-Exporter("DMLS merge", "", Nh).
Bytes merge_psk(const mls::CryptoProvider& crypto, const mls::EpochSecrets& secrets);

// The PPRF input a successor's init secret is derived at.
Bytes child_init_input(const mls::CryptoProvider& crypto, const Bytes& commit_secret,
                       const Bytes& successor_context);

// An epoch's successor init secrets from its parent_init_secret through a PPRF of `depth` levels:
// each successor derived once, then punctured.
class ChildInitSecrets final : public mls::SuccessorInit {
 public:
  ChildInitSecrets(const mls::CryptoProvider& crypto, const mls::EpochSecrets& secrets,
                   unsigned depth = PuncturablePrf::kFullDepth);
  std::optional<Bytes> init_secret(const Bytes& commit_secret,
                                   const Bytes& successor_context) override;
  void taken(const Bytes& commit_secret, const Bytes& successor_context) override;
  std::size_t secret_bytes() const override { return prf_.secret_bytes(); }
  const PuncturablePrf& prf() const { return prf_; }

 private:
  const mls::CryptoProvider* crypto_;
  PuncturablePrf prf_;
  std::optional<PuncturablePrf::Evaluation> derived_;  // the last one, until taken
};

// GroupConfig::successor_init for DMLS groups.
mls::SuccessorInitFactory dmls_successor_init(unsigned depth = PuncturablePrf::kFullDepth);

}  // namespace dmlssim::models::dmls
