// key-schedule.json, psk_secret.json, secret-tree.json and transcript-hashes.json.
#include "models/mls/key_schedule.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/secret_tree.hpp"
#include "models/mls/transcript.hpp"
#include "models/mls/vectors/entry_check.hpp"

namespace dmlssim::models::mls::vectors {

void run_key_schedule(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  EntryCheck check(index, out);
  Bytes init = hex_of(v.at("initial_init_secret"));
  std::uint64_t epoch = 0;
  for (const auto& e : v.at("epochs")) {
    const std::string at = " of epoch " + std::to_string(epoch);
    GroupContext gc;
    gc.group_id = hex_of(v.at("group_id"));
    gc.epoch = epoch++;
    gc.tree_hash = hex_of(e.at("tree_hash"));
    gc.confirmed_transcript_hash = hex_of(e.at("confirmed_transcript_hash"));
    const Bytes context = gc.encode();
    check.expect(context == hex_of(e.at("group_context")), "group_context" + at);
    const EpochSecrets s = derive_epoch_secrets(real_crypto(), init, hex_of(e.at("commit_secret")),
                                                hex_of(e.at("psk_secret")), context);
    const std::pair<const Bytes*, const char*> fields[] = {
        {&s.joiner_secret, "joiner_secret"},
        {&s.welcome_secret, "welcome_secret"},
        {&s.init_secret, "init_secret"},
        {&s.sender_data_secret, "sender_data_secret"},
        {&s.encryption_secret, "encryption_secret"},
        {&s.exporter_secret, "exporter_secret"},
        {&s.epoch_authenticator, "epoch_authenticator"},
        {&s.external_secret, "external_secret"},
        {&s.confirmation_key, "confirmation_key"},
        {&s.membership_key, "membership_key"},
        {&s.resumption_psk, "resumption_psk"},
    };
    for (const auto& [value, name] : fields)
      check.expect(*value == hex_of(e.at(name)), name + at);
    check.expect(external_key_pair(real_crypto(), s).public_key == hex_of(e.at("external_pub")),
                 "external_pub" + at);
    // The exporter label is the ASCII text written in the file (see the vectors' README).
    const auto& x = e.at("exporter");
    check.expect(mls_export(real_crypto(), s.exporter_secret, x.at("label").get<std::string>(),
                            hex_of(x.at("context")),
                            x.at("length").get<std::uint16_t>()) == hex_of(x.at("secret")),
                 "exporter" + at);
    init = s.init_secret;
  }
  check.finish();
}

void run_psk_secret(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  EntryCheck check(index, out);
  std::vector<ExternalPsk> psks;
  for (const auto& p : v.at("psks")) {
    psks.push_back({hex_of(p.at("psk_id")), hex_of(p.at("psk_nonce")), hex_of(p.at("psk"))});
  }
  check.expect(psk_secret(real_crypto(), psks) == hex_of(v.at("psk_secret")), "psk_secret");
  check.finish();
}

void run_secret_tree(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  EntryCheck check(index, out);
  const auto& sd = v.at("sender_data");
  const KeyAndNonce sender = sender_data_key_nonce(
      real_crypto(), hex_of(sd.at("sender_data_secret")), hex_of(sd.at("ciphertext")));
  check.expect(sender.key == hex_of(sd.at("key")), "sender data key");
  check.expect(sender.nonce == hex_of(sd.at("nonce")), "sender data nonce");
  const auto n = static_cast<std::uint32_t>(v.at("leaves").size());
  const Bytes encryption_secret = hex_of(v.at("encryption_secret"));
  for (std::uint32_t leaf = 0; leaf < n; ++leaf) {
    const Bytes leaf_secret =
        secret_tree_node(real_crypto(), encryption_secret, n, leaf_node(leaf));
    for (const auto& g : v.at("leaves")[leaf]) {
      const auto generation = g.at("generation").get<std::uint32_t>();
      const std::string at =
          " of leaf " + std::to_string(leaf) + " generation " + std::to_string(generation);
      Bytes hs = handshake_ratchet_root(real_crypto(), leaf_secret);
      Bytes app = application_ratchet_root(real_crypto(), leaf_secret);
      for (std::uint32_t i = 0; i < generation; ++i) {
        hs = ratchet_next(real_crypto(), hs, i);
        app = ratchet_next(real_crypto(), app, i);
      }
      const KeyAndNonce h = ratchet_key_nonce(real_crypto(), hs, generation);
      const KeyAndNonce a = ratchet_key_nonce(real_crypto(), app, generation);
      check.expect(h.key == hex_of(g.at("handshake_key")), "handshake_key" + at);
      check.expect(h.nonce == hex_of(g.at("handshake_nonce")), "handshake_nonce" + at);
      check.expect(a.key == hex_of(g.at("application_key")), "application_key" + at);
      check.expect(a.nonce == hex_of(g.at("application_nonce")), "application_nonce" + at);
    }
  }
  check.finish();
}

void run_transcript_hashes(const nlohmann::json& v, std::size_t index, VectorResult& out) {
  if (skip_other_suite(v, out)) return;
  EntryCheck check(index, out);
  // The AuthenticatedContent of a commit ends with its confirmation tag, an opaque<V> of Nh
  // bytes (0x20, then the MAC); what precedes it is ConfirmedTranscriptHashInput.
  const Bytes content = hex_of(v.at("authenticated_content"));
  if (content.size() <= kHashLength + 1 ||
      content[content.size() - kHashLength - 1] != kHashLength) {
    out.fail(index, "authenticated_content does not end with an Nh-byte confirmation tag");
    return;
  }
  const std::size_t split = content.size() - kHashLength - 1;
  const Bytes input(content.begin(), content.begin() + static_cast<long>(split));
  const Bytes tag(content.begin() + static_cast<long>(split) + 1, content.end());
  const Bytes confirmed =
      confirmed_transcript_hash(hex_of(v.at("interim_transcript_hash_before")), input);
  check.expect(confirmed == hex_of(v.at("confirmed_transcript_hash_after")),
               "confirmed_transcript_hash_after");
  check.expect(confirmation_tag(real_crypto(), hex_of(v.at("confirmation_key")), confirmed) == tag,
               "confirmation_tag");
  check.expect(
      interim_transcript_hash(confirmed, tag) == hex_of(v.at("interim_transcript_hash_after")),
      "interim_transcript_hash_after");
  check.finish();
}

}  // namespace dmlssim::models::mls::vectors
