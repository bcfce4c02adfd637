// The DMLS key schedule inside the MLS group: every member agrees; successor init secrets come
// from the epoch's PPRF (checked against an independent computation); a retained epoch processes a
// second commit but never the same one twice; a refused commit gives nothing up.
#include <catch2/catch.hpp>

#include "models/dmls/key_schedule.hpp"
#include "models/mls/framing.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "tests/models/mls/group_harness.hpp"

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;
using dmlssim::testing::GroupHarness;
using dmlssim::testing::reason_of;

namespace {

mls::GroupConfig config_for(bool dmls_schedule) {
  mls::GroupConfig c;
  c.crypto = &mls::fast_crypto();
  if (dmls_schedule) c.successor_init = dmls::dmls_successor_init();
  return c;
}

}  // namespace

TEST_CASE("a DMLS group agrees after every commit and keys its epochs differently", "[dmls]") {
  GroupHarness rfc(config_for(false)), dmls_h(config_for(true));
  rfc.found(4);
  dmls_h.found(4);
  for (int round = 0; round < 6; ++round) {
    rfc.commit(round % 4);
    dmls_h.commit(round % 4);
    CHECK(rfc.agree());
    CHECK(dmls_h.agree());
    CHECK(rfc.group(0).epoch_authenticator() != dmls_h.group(0).epoch_authenticator());
  }
}

TEST_CASE("a successor's init secret is the PPRF output the draft defines", "[dmls]") {
  GroupHarness h(config_for(true));
  h.found(3);
  const auto& crypto = *h.config().crypto;
  const mls::EpochSecrets before = h.group(1).epoch_secrets();
  // A commit without a path: its commit_secret is Nh zero bytes.
  const int newcomer = h.new_client();
  mls::CommitOptions add;
  add.force_path = false;
  add.by_value.push_back(mls::Proposal{mls::AddProposal{h.client(newcomer).key_package}});
  h.commit(0, add, {newcomer});
  REQUIRE(h.agree());
  const mls::Bytes zero(32, 0);
  const mls::Bytes& context = h.group(1).public_state().context_bytes;
  // DeriveChildSecret(parent_init_secret, "child_init", commit_confirmation, GroupContext), the
  // PPRF walked here bit by bit without the implementation.
  const mls::Bytes input = mls::expand_with_label(crypto, mls::derive_secret(crypto, zero, "conf"),
                                                  "child_init", context, 32);
  mls::Bytes node = mls::derive_secret(crypto, before.epoch_secret, "parent_init");
  for (unsigned level = 0; level < 256; ++level) {
    const bool right = (input[level / 8] >> (7 - level % 8)) & 1;
    node =
        mls::expand_with_label(crypto, node, "tree", mls::to_bytes(right ? "right" : "left"), 32);
  }
  const mls::Bytes init = mls::derive_secret(crypto, node, "pprf");
  const mls::EpochSecrets expected = mls::derive_epoch_secrets(crypto, init, zero, zero, context);
  CHECK(h.group(1).epoch_secrets().epoch_secret == expected.epoch_secret);
  CHECK(dmls::dmls_epoch_of(crypto, h.group(1).epoch_secrets()) ==
        mls::derive_secret(crypto, expected.epoch_secret, "epoch"));
}

TEST_CASE("a retained epoch processes a rival commit but never the same commit twice", "[dmls]") {
  for (const bool dmls_schedule : {true, false}) {
    GroupHarness h(config_for(dmls_schedule));
    h.found(3);
    const auto& crypto = *h.config().crypto;
    // Member 1 keeps its state of epoch E twice over; copies share the epoch's PPRF.
    mls::Group retained = h.group(1);
    mls::Group retained_again = h.group(1);
    const mls::CommitOutput x = h.group(0).commit();
    const mls::CommitOutput y = h.group(2).commit();  // a rival commit on E
    h.group(1).handle(x.commit);
    retained.handle(y.commit);  // the fork
    h.group(0).handle(x.commit);
    h.group(2).handle(y.commit);
    CHECK(h.group(1).epoch_authenticator() == h.group(0).epoch_authenticator());
    CHECK(retained.epoch_authenticator() == h.group(2).epoch_authenticator());
    CHECK(retained.epoch_authenticator() != h.group(0).epoch_authenticator());
    if (dmls_schedule) {
      const mls::Bytes ex = dmls::dmls_epoch_of(crypto, h.group(0).epoch_secrets());
      const mls::Bytes ey = dmls::dmls_epoch_of(crypto, h.group(2).epoch_secrets());
      CHECK(dmls::dmls_epoch_of(crypto, h.group(1).epoch_secrets()) == ex);
      CHECK(dmls::dmls_epoch_of(crypto, retained.epoch_secrets()) == ey);
      CHECK(ex != ey);
      CHECK(ex.size() == 32);
      // X's init secret was derived from E once: E can never derive it again.
      CHECK(reason_of(retained_again, x.commit) == mls::Rejection::kSuccessorGivenUp);
    } else {
      retained_again.handle(x.commit);  // RFC 9420 keeps the init secret: nothing stops it
      CHECK(retained_again.epoch_authenticator() == h.group(0).epoch_authenticator());
    }
  }
}

TEST_CASE("a DMLS commit refused for its confirmation tag gives up nothing", "[dmls]") {
  GroupHarness h(config_for(true));
  h.found(3);
  const mls::CommitOutput x = h.group(0).commit();
  mls::MlsMessage bad = x.commit;
  {
    auto& pub = std::get<mls::PublicMessage>(bad.body);
    mls::Bytes tag = pub.confirmation_tag;
    tag[0] ^= 1;
    // Re-MACed as an insider would, so that only the confirmation tag is wrong.
    bad.body = mls::seal_public(*h.config().crypto, pub.content, pub.signature,
                                h.group(1).epoch_secrets().membership_key,
                                h.group(1).public_state().context_bytes, tag);
  }
  CHECK(reason_of(h.group(1), bad) == mls::Rejection::kBadConfirmationTag);
  h.group(1).handle(x.commit);
  h.group(0).handle(x.commit);
  CHECK(h.group(1).epoch_authenticator() == h.group(0).epoch_authenticator());
}
