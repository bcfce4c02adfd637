// passive-client-*.json: join by Welcome, then follow the group epoch by epoch (proposals, then
// the commit), comparing epoch_authenticator after the join and after every commit.
#include "models/mls/bytes.hpp"
#include "models/mls/group.hpp"
#include "models/mls/tls_reader.hpp"
#include "models/mls/vectors/entry_check.hpp"

namespace dmlssim::models::mls::vectors {
namespace {

Bytes hex_field(const nlohmann::json& v, const char* key) {
  return hex_of(v.at(key));
}

MlsMessage message_field(const nlohmann::json& v, const char* key) {
  return decode_one<MlsMessage>(hex_field(v, key), key);
}

}  // namespace

void run_passive_client(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  GroupConfig config;
  config.crypto = &real_crypto();
  config.commit_before_send = false;
  PskSources psks;
  for (const auto& p : v.at("external_psks"))
    psks.external[hex_field(p, "psk_id")] = hex_field(p, "psk");
  const MlsMessage kp_message = message_field(v, "key_package");
  const auto* kp = std::get_if<KeyPackage>(&kp_message.body);
  const MlsMessage welcome_message = message_field(v, "welcome");
  const auto* welcome = std::get_if<Welcome>(&welcome_message.body);
  if (kp == nullptr || welcome == nullptr) {
    out.fail(index, "key_package or welcome is not of its wire format");
    return;
  }
  std::optional<RatchetTree> tree;
  if (!v.at("ratchet_tree").is_null()) {
    const Bytes bytes = hex_field(v, "ratchet_tree");
    TlsReader r(bytes);
    tree = RatchetTree::from_nodes(decode_ratchet_tree(r));
    r.expect_done("ratchet_tree");
  }
  const KeyPackageSecrets secrets{hex_field(v, "init_priv"), hex_field(v, "encryption_priv"),
                                  hex_field(v, "signature_priv")};
  Group group = Group::join(config, *welcome, *kp, secrets, tree, psks, Drbg(Bytes(32, 0)));
  if (group.epoch_authenticator() != hex_field(v, "initial_epoch_authenticator")) {
    out.fail(index, "epoch_authenticator differs after the join");
    return;
  }
  std::size_t epoch = 0;
  for (const auto& e : v.at("epochs")) {
    for (const auto& p : e.at("proposals")) {
      group.handle(decode_one<MlsMessage>(from_hex(p.get<std::string>()), "proposal"));
    }
    group.handle(message_field(e, "commit"));
    if (group.epoch_authenticator() != hex_field(e, "epoch_authenticator")) {
      out.fail(index, "epoch_authenticator differs after epoch " + std::to_string(epoch));
      return;
    }
    ++epoch;
  }
  out.pass();
}

}  // namespace dmlssim::models::mls::vectors
