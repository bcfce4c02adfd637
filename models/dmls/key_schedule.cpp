#include "models/dmls/key_schedule.hpp"

#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"

namespace dmlssim::models::dmls {

Bytes dmls_epoch_of(const mls::CryptoProvider& crypto, const mls::EpochSecrets& secrets) {
  return mls::derive_secret(crypto, secrets.epoch_secret, "epoch");
}

Bytes merge_psk(const mls::CryptoProvider& crypto, const mls::EpochSecrets& secrets) {
  return mls::mls_export(crypto, secrets.exporter_secret, "DMLS merge", {},
                         static_cast<std::uint16_t>(mls::kHashLength));
}

Bytes child_init_input(const mls::CryptoProvider& crypto, const Bytes& commit_secret,
                       const Bytes& successor_context) {
  const Bytes confirmation = mls::derive_secret(crypto, commit_secret, "conf");
  return mls::expand_with_label(crypto, confirmation, "child_init", successor_context,
                                mls::kHashLength);
}

ChildInitSecrets::ChildInitSecrets(const mls::CryptoProvider& crypto,
                                   const mls::EpochSecrets& secrets, unsigned depth)
    : crypto_(&crypto),
      prf_(crypto, mls::derive_secret(crypto, secrets.epoch_secret, "parent_init"), depth) {}

std::optional<Bytes> ChildInitSecrets::init_secret(const Bytes& commit_secret,
                                                   const Bytes& successor_context) {
  derived_ = prf_.derive(child_init_input(*crypto_, commit_secret, successor_context));
  if (!derived_) return std::nullopt;
  return derived_->output;
}

void ChildInitSecrets::taken(const Bytes& commit_secret, const Bytes& successor_context) {
  const Bytes input = child_init_input(*crypto_, commit_secret, successor_context);
  if (!derived_ || derived_->input != input) derived_ = prf_.derive(input);
  if (derived_) prf_.puncture(*derived_);
  derived_.reset();
}

mls::SuccessorInitFactory dmls_successor_init(unsigned depth) {
  return [depth](const mls::CryptoProvider& crypto, const mls::EpochSecrets& secrets) {
    return std::make_shared<ChildInitSecrets>(crypto, secrets, depth);
  };
}

}  // namespace dmlssim::models::dmls
