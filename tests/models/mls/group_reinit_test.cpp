// ReInit (§11.2) and branching (§11.3): a committed ReInit freezes the group; a member creates the
// successor whose first commit carries the old group's resumption PSK; the others join it with
// that PSK, and cannot without it. Branching does the same from a live epoch.
#include <catch2/catch.hpp>

#include "tests/models/mls/group_harness.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::GroupHarness;

namespace {

struct FreshKeyPackage {
  mls::KeyPackage kp;
  mls::KeyPackageSecrets secrets;
};

FreshKeyPackage fresh(GroupHarness& h, const std::string& name) {
  FreshKeyPackage f;
  f.kp = mls::make_key_package(*h.config().crypto, mls::to_bytes(name), h.rng().bytes(32),
                               h.rng().bytes(32), h.rng().bytes(32), mls::Lifetime{0, 1000},
                               &f.secrets);
  return f;
}

// A group of three: a (founder), b, c.
std::vector<int> three(GroupHarness& h) {
  const int a = h.new_client(), b = h.new_client(), c = h.new_client();
  h.create(a);
  mls::CommitOptions add;
  add.by_value = {mls::Proposal{mls::AddProposal{h.client(b).key_package}},
                  mls::Proposal{mls::AddProposal{h.client(c).key_package}}};
  h.commit(a, add, {b, c});
  return {a, b, c};
}

}  // namespace

TEST_CASE("ReInit freezes the group and the successor resumes it", "[mls][group]") {
  GroupHarness h(mls::GroupConfig{}, 21);
  const auto ids = three(h);
  const int a = ids[0], b = ids[1], c = ids[2];
  mls::ReInitProposal reinit;
  reinit.group_id = mls::to_bytes("group, second life");
  h.broadcast(h.group(b).propose(mls::Proposal{reinit}));
  h.commit(a);
  for (const int m : ids) {
    CHECK(h.group(m).status() == mls::Group::Status::kFrozen);
    REQUIRE(h.group(m).reinit());
    CHECK(h.group(m).reinit()->group_id == reinit.group_id);
  }
  // A frozen group sends nothing more.
  try {
    h.group(c).protect(mls::to_bytes("late"));
    FAIL("a frozen group sent a message");
  } catch (const mls::GroupError& e) {
    CHECK(e.reason() == mls::Rejection::kGroupFrozen);
  }
  CHECK_THROWS_AS(h.group(b).branch(mls::to_bytes("x"), h.client(b).key_package,
                                    h.client(b).secrets, {}, h.rng().fork()),
                  mls::GroupError);

  const FreshKeyPackage a2 = fresh(h, "a2"), b2 = fresh(h, "b2"), c2 = fresh(h, "c2");
  auto [successor, out] =
      h.group(a).reinit_successor(a2.kp, a2.secrets, {b2.kp, c2.kp}, h.rng().fork());
  successor.merge_pending_commit();
  CHECK(successor.group_id() == reinit.group_id);
  CHECK(successor.epoch() == 1);
  const auto& welcome = std::get<mls::Welcome>(out.welcome->body);
  const mls::Group b_next = mls::Group::join(h.config(), welcome, b2.kp, b2.secrets, std::nullopt,
                                             h.group(b).resumption_sources(), h.rng().fork());
  const mls::Group c_next = mls::Group::join(h.config(), welcome, c2.kp, c2.secrets, std::nullopt,
                                             h.group(c).resumption_sources(), h.rng().fork());
  CHECK(b_next.epoch_authenticator() == successor.epoch_authenticator());
  CHECK(c_next.epoch_authenticator() == successor.epoch_authenticator());
  CHECK(b_next.member_count() == 3);
  // Without the old group's resumption PSK the Welcome cannot be opened.
  try {
    mls::Group::join(h.config(), welcome, c2.kp, c2.secrets, std::nullopt, {}, h.rng().fork());
    FAIL("joined without the resumption PSK");
  } catch (const mls::GroupError& e) {
    CHECK(e.reason() == mls::Rejection::kUnknownPsk);
  }
  // A reinit-usage PSK is only for the first commit of a successor.
  mls::PreSharedKeyId psk;
  psk.type = mls::PreSharedKeyId::kResumption;
  psk.usage = 2;
  psk.psk_group_id = successor.group_id();
  psk.psk_epoch = 1;
  psk.psk_nonce = mls::Bytes(32, 1);
  mls::CommitOptions late;
  late.by_value = {mls::Proposal{mls::PreSharedKeyProposal{psk}}};
  try {
    successor.commit(late);
    FAIL("a reinit PSK was accepted in a later commit");
  } catch (const mls::GroupError& e) {
    CHECK(e.reason() == mls::Rejection::kInvalidProposal);
  }
  // An application-usage resumption PSK of the group's own past epoch is fine.
  psk.usage = 1;
  late.by_value = {mls::Proposal{mls::PreSharedKeyProposal{psk}}};
  const mls::CommitOutput ok = successor.commit(late);
  mls::Group b_copy = b_next;
  b_copy.handle(ok.commit);
  successor.merge_pending_commit();
  CHECK(b_copy.epoch_authenticator() == successor.epoch_authenticator());
}

TEST_CASE("a branch starts a subgroup from the current epoch", "[mls][group]") {
  GroupHarness h(mls::GroupConfig{}, 22);
  const auto ids = three(h);
  const int a = ids[0], c = ids[2];
  const FreshKeyPackage a2 = fresh(h, "a2"), c2 = fresh(h, "c2");
  auto [sub, out] =
      h.group(a).branch(mls::to_bytes("side room"), a2.kp, a2.secrets, {c2.kp}, h.rng().fork());
  sub.merge_pending_commit();
  const mls::Group c_sub =
      mls::Group::join(h.config(), std::get<mls::Welcome>(out.welcome->body), c2.kp, c2.secrets,
                       std::nullopt, h.group(c).resumption_sources(), h.rng().fork());
  CHECK(c_sub.epoch_authenticator() == sub.epoch_authenticator());
  CHECK(c_sub.member_count() == 2);
  CHECK(h.group(a).status() == mls::Group::Status::kActive);  // the parent group goes on
}

TEST_CASE("a group keeps the resumption PSKs of its last resumption_psks_kept + 1 epochs",
          "[mls][group][resumption]") {
  // Many more epochs than are kept, so the kept list is cut and rebuilt several times; copies of
  // earlier epochs keep their own view.
  mls::GroupConfig config;
  config.crypto = &mls::fast_crypto();
  config.resumption_psks_kept = 3;
  GroupHarness h(config);
  const int a = h.new_client();
  h.create(a);
  std::vector<mls::Bytes> psk_of{h.group(a).epoch_secrets().resumption_psk};
  std::optional<mls::Group> at_epoch_10;
  for (int i = 0; i < 30; ++i) {
    h.commit(a);
    psk_of.push_back(h.group(a).epoch_secrets().resumption_psk);
    if (h.group(a).epoch() == 10) at_epoch_10 = h.group(a);
  }
  const mls::Group& g = h.group(a);
  REQUIRE(g.epoch() == 30);
  for (std::uint64_t e = 0; e <= 30; ++e) {
    INFO("epoch " << e);
    const std::optional<mls::Bytes> psk = g.resumption_psk(e);
    if (e >= 27) {
      REQUIRE(psk.has_value());
      CHECK(*psk == psk_of[e]);
    } else {
      CHECK_FALSE(psk.has_value());
    }
  }
  const mls::PskSources sources = g.resumption_sources();
  const auto& kept = sources.resumption.at(g.group_id());
  CHECK(kept.size() == 4);
  CHECK(kept.begin()->first == 27);
  // The copy taken at epoch 10 still reads epochs 7 to 10.
  REQUIRE(at_epoch_10.has_value());
  CHECK(at_epoch_10->resumption_psk(7) == psk_of[7]);
  CHECK(at_epoch_10->resumption_psk(10) == psk_of[10]);
  CHECK_FALSE(at_epoch_10->resumption_psk(6).has_value());
}
