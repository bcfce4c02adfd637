// The group's rules one by one: concurrent commits (one wins, the loser's pending commit is
// dropped), external commits and resync, max_past_epochs for late application messages,
// PrivateMessage handshakes, commit-before-send, external PSKs from the store or the lookup, and
// the typed reasons of refused messages.
#include <catch2/catch.hpp>

#include "models/mls/epoch_cache.hpp"
#include "models/mls/framing.hpp"
#include "tests/models/mls/group_harness.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::GroupHarness;
using dmlssim::testing::reason_of;

TEST_CASE("of two concurrent commits the delivered one wins", "[mls][group]") {
  GroupHarness h(mls::GroupConfig{}, 31);
  const auto ids = h.found(4);
  const mls::CommitOutput first = h.group(ids[1]).commit();
  const mls::CommitOutput second = h.group(ids[2]).commit();
  CHECK(h.group(ids[2]).has_pending_commit());
  // The delivery service orders `first`; `second` is then for an old epoch.
  for (const int m : ids)
    h.group(m).handle(first.commit);
  CHECK_FALSE(h.group(ids[2]).has_pending_commit());  // its own commit lost
  CHECK(h.agree());
  CHECK(reason_of(h.group(ids[3]), second.commit) == mls::Rejection::kWrongEpoch);
  // A pending commit blocks new proposals and commits until resolved.
  h.group(ids[0]).commit();
  try {
    h.group(ids[0]).commit();
    FAIL("two commits pending");
  } catch (const mls::GroupError& e) {
    CHECK(e.reason() == mls::Rejection::kCommitPending);
  }
  h.group(ids[0]).discard_pending_commit();
  CHECK_FALSE(h.group(ids[0]).has_pending_commit());
}

TEST_CASE("refused messages carry their reason and change nothing", "[mls][group]") {
  GroupHarness h(mls::GroupConfig{}, 32);
  const auto ids = h.found(3);
  mls::Group& receiver = h.group(ids[2]);
  const mls::Bytes before = receiver.epoch_authenticator();

  // A proposal reference the receiver never saw: member 0's Update reached member 1 only.
  mls::Group proposer = h.group(ids[0]);
  mls::Group sender = h.group(ids[1]);
  sender.handle(proposer.propose_update());
  const mls::MlsMessage by_ref = sender.commit().commit;
  CHECK(reason_of(receiver, by_ref) == mls::Rejection::kUnknownProposal);

  // A tampered membership tag, another group, a bad confirmation tag.
  const mls::MlsMessage commit = h.group(ids[1]).commit().commit;
  h.group(ids[1]).discard_pending_commit();
  mls::MlsMessage tampered = commit;
  std::get<mls::PublicMessage>(tampered.body).membership_tag[0] ^= 1;
  CHECK(reason_of(receiver, tampered) == mls::Rejection::kBadMembershipTag);
  mls::MlsMessage other_group = commit;
  std::get<mls::PublicMessage>(other_group.body).content.group_id = mls::to_bytes("other");
  CHECK(reason_of(receiver, other_group) == mls::Rejection::kWrongGroup);
  mls::MlsMessage bad_tag = commit;
  {
    auto& pub = std::get<mls::PublicMessage>(bad_tag.body);
    pub.confirmation_tag[3] ^= 1;
    // Re-MAC as an insider would, so that only the confirmation tag is wrong.
    bad_tag.body =
        mls::seal_public(*h.config().crypto, pub.content, pub.signature,
                         h.group(ids[1]).epoch_secrets().membership_key,
                         h.group(ids[1]).public_state().context_bytes, pub.confirmation_tag);
  }
  CHECK(reason_of(receiver, bad_tag) == mls::Rejection::kBadConfirmationTag);
  // Application data may not travel as a PublicMessage.
  mls::FramedContent app{h.group(ids[1]).group_id(),
                         h.group(ids[1]).epoch(),
                         mls::Sender{mls::SenderType::kMember, h.group(ids[1]).own_leaf()},
                         {},
                         mls::to_bytes("clear")};
  mls::MlsMessage clear;
  clear.body = mls::protect_public(
      mls::real_crypto(), app, h.client(ids[1]).secrets.signature_private_key,
      h.group(ids[1]).epoch_secrets().membership_key, h.group(ids[1]).public_state().context_bytes);
  CHECK(reason_of(receiver, clear) == mls::Rejection::kApplicationNotPrivate);
  CHECK(receiver.epoch_authenticator() == before);
  // The untampered commit is still good.
  receiver.handle(commit);
  CHECK(receiver.epoch() == 2);
}

TEST_CASE("late application messages decrypt within max_past_epochs", "[mls][group]") {
  for (const std::uint32_t kept : {0u, 2u}) {
    INFO("max_past_epochs " << kept);
    mls::GroupConfig config;
    config.max_past_epochs = kept;
    GroupHarness h(config, 33);
    const auto ids = h.found(3);
    const mls::MlsMessage late = h.group(ids[1]).protect(mls::to_bytes("sent at epoch 1"));
    h.commit(ids[0]);  // epoch 2
    if (kept == 0) {
      CHECK(reason_of(h.group(ids[2]), late) == mls::Rejection::kWrongEpoch);
      continue;
    }
    const mls::Received r = h.group(ids[2]).handle(late);
    CHECK(*r.application_data == mls::to_bytes("sent at epoch 1"));
    CHECK(r.epoch == 1);
    h.commit(ids[0]);
    h.commit(ids[0]);  // epoch 4: epoch 1 is beyond the two kept
    const mls::MlsMessage later = h.group(ids[1]).protect(mls::to_bytes("epoch 4"));
    CHECK(h.group(ids[2]).handle(later).epoch == 4);
    CHECK(reason_of(h.group(ids[0]), late) == mls::Rejection::kWrongEpoch);
  }
}

TEST_CASE("a message key is used once — ratchets far ahead are refused", "[mls][group]") {
  mls::GroupConfig config;
  config.limits.maximum_forward_distance = 5;
  GroupHarness h(config, 34);
  const auto ids = h.found(2);
  const mls::MlsMessage m = h.group(ids[0]).protect(mls::to_bytes("once"));
  h.group(ids[1]).handle(m);
  CHECK(reason_of(h.group(ids[1]), m) == mls::Rejection::kKeyConsumed);
  mls::MlsMessage far;
  for (int i = 0; i < 8; ++i)
    far = h.group(ids[0]).protect(mls::to_bytes("skip"));
  CHECK(reason_of(h.group(ids[1]), far) == mls::Rejection::kKeyTooFarAhead);
}

TEST_CASE("handshakes as PrivateMessage — proposals hold back application data", "[mls][group]") {
  mls::GroupConfig config;
  config.private_handshake = true;
  GroupHarness h(config, 35);
  const auto ids = h.found(3);
  const mls::MlsMessage update = h.group(ids[2]).propose_update();
  CHECK(update.wire_format() == mls::WireFormat::kPrivateMessage);
  h.broadcast(update, ids[2]);
  try {
    h.group(ids[1]).protect(mls::to_bytes("too early"));
    FAIL("sent with proposals cached");
  } catch (const mls::GroupError& e) {
    CHECK(e.reason() == mls::Rejection::kProposalsPending);
  }
  const mls::CommitOutput out = h.commit(ids[1]);
  CHECK(out.commit.wire_format() == mls::WireFormat::kPrivateMessage);
  CHECK(h.agree());
  CHECK(h.group(ids[1]).protect(mls::to_bytes("now")).wire_format() ==
        mls::WireFormat::kPrivateMessage);
}

TEST_CASE("external commits join, and resync replaces a member's own leaf", "[mls][group]") {
  GroupHarness h(mls::GroupConfig{}, 36);
  const auto ids = h.found(3);
  const mls::GroupInfo info = h.group(ids[1]).group_info(true, true);
  // A newcomer joins without a Welcome.
  const int d = h.new_client();
  auto [joined, commit] =
      mls::Group::join_external(h.config(), info, std::nullopt, h.client(d).key_package,
                                h.client(d).secrets, std::nullopt, h.rng().fork());
  h.broadcast(commit);
  h.client(d).set_group(std::move(joined));
  CHECK(h.agree());
  CHECK(h.group(ids[0]).member_count() == 4);
  // Member 2 lost its state: it rejoins by external commit removing its old leaf.
  const mls::LeafIndex old_leaf = h.group(ids[2]).own_leaf();
  const mls::GroupInfo info2 = h.group(ids[0]).group_info(true, true);
  const int e = h.new_client();  // a fresh device key package of the same identity is needed:
  mls::KeyPackageSecrets secrets;
  const mls::KeyPackage same_identity = mls::make_key_package(
      mls::real_crypto(), h.group(ids[2]).public_state().tree.leaf(old_leaf)->credential.identity,
      h.rng().bytes(32), h.rng().bytes(32), h.rng().bytes(32), mls::Lifetime{0, 1000}, &secrets);
  (void)e;
  auto [rejoined, resync] = mls::Group::join_external(
      h.config(), info2, std::nullopt, same_identity, secrets, old_leaf, h.rng().fork());
  h.client(ids[2]).drop_group();
  h.broadcast(resync);
  h.client(ids[2]).set_group(std::move(rejoined));
  CHECK(h.agree());
  CHECK(h.group(ids[0]).member_count() == 4);
  // Without external_pub there is no external join; resync of another identity is refused.
  const mls::GroupInfo no_pub = h.group(ids[0]).group_info(true, false);
  CHECK_THROWS_AS(
      mls::Group::join_external(h.config(), no_pub, std::nullopt, h.client(d).key_package,
                                h.client(d).secrets, std::nullopt, h.rng().fork()),
      mls::GroupError);
  CHECK_THROWS_AS(
      mls::Group::join_external(h.config(), h.group(ids[0]).group_info(true, true), std::nullopt,
                                same_identity, secrets, h.group(ids[0]).own_leaf(), h.rng().fork()),
      mls::GroupError);
}

TEST_CASE(
    "a commit publishes a GroupInfo of the epoch it creates, enough to join by external commit",
    "[mls][group]") {
  GroupHarness h(mls::GroupConfig{}, 37);
  const auto ids = h.found(3);
  mls::CommitOptions options;
  options.group_info = true;
  const mls::CommitOutput out = h.commit(ids[1], options);
  REQUIRE(out.group_info.has_value());
  const mls::GroupInfo& published = *out.group_info;
  // What a member of the new epoch signs itself: the same context, tag and external_pub.
  const mls::GroupInfo member = h.group(ids[2]).group_info(false, true);
  CHECK(published.group_context.encode() == member.group_context.encode());
  CHECK(published.confirmation_tag == member.confirmation_tag);
  REQUIRE(published.extensions.size() == 1);  // external_pub, no ratchet tree
  CHECK(published.extensions == member.extensions);
  CHECK(published.signer == h.group(ids[1]).own_leaf());
  // An outsider joins from it, with the epoch's tree from elsewhere (here a member's copy).
  const int d = h.new_client();
  auto [joined, commit] = mls::Group::join_external(
      h.config(), published, h.group(ids[0]).public_state().tree, h.client(d).key_package,
      h.client(d).secrets, std::nullopt, h.rng().fork());
  h.broadcast(commit);
  h.client(d).set_group(std::move(joined));
  CHECK(h.agree());
  CHECK(h.group(ids[0]).member_count() == 4);
  CHECK_FALSE(h.commit(ids[0]).group_info.has_value());  // only when asked
}

TEST_CASE("outsiders propose: a new member its own Add, an external sender a Remove",
          "[mls][group]") {
  // The group lists one external sender (say, the room's hub server) in external_senders.
  const mls::CryptoProvider& crypto = mls::real_crypto();
  const mls::Bytes hub_key(32, 77);
  mls::TlsWriter senders;
  {
    mls::TlsWriter one;
    one.opaque(crypto.signature_public_key(hub_key));
    mls::Credential{mls::Credential::kBasic, mls::to_bytes("hub.example"), {}}.encode(one);
    senders.opaque(one.bytes());
  }
  GroupHarness h(mls::GroupConfig{}, 37);
  const int a = h.new_client(), b = h.new_client(), outsider = h.new_client();
  h.client(a).set_group(mls::Group::create(h.config(), mls::to_bytes("with hub"),
                                           h.client(a).key_package, h.client(a).secrets,
                                           {mls::Extension{5, senders.take()}}, h.rng().fork()));
  mls::CommitOptions add;
  add.by_value = {mls::Proposal{mls::AddProposal{h.client(b).key_package}}};
  h.commit(a, add, {b});

  // The outsider asks to join: its Add, signed with its own key, no membership tag.
  const mls::Group& g = h.group(a);
  mls::FramedContent join_request{g.group_id(),
                                  g.epoch(),
                                  mls::Sender{mls::SenderType::kNewMemberProposal, 0},
                                  {},
                                  mls::Proposal{mls::AddProposal{h.client(outsider).key_package}}};
  mls::MlsMessage request;
  request.body =
      mls::protect_public(crypto, join_request, h.client(outsider).secrets.signature_private_key,
                          {}, g.public_state().context_bytes);
  h.broadcast(request);
  CHECK(h.group(b).cached_proposals() == 1);
  h.commit(b, {}, {outsider});
  CHECK(h.agree());
  CHECK(h.group(outsider).member_count() == 3);

  // The hub removes b.
  const mls::Group& now = h.group(a);
  mls::FramedContent removal{now.group_id(),
                             now.epoch(),
                             mls::Sender{mls::SenderType::kExternal, 0},
                             {},
                             mls::Proposal{mls::RemoveProposal{h.group(b).own_leaf()}}};
  mls::MlsMessage by_hub;
  by_hub.body = mls::protect_public(crypto, removal, hub_key, {}, now.public_state().context_bytes);
  h.broadcast(by_hub);
  h.commit(a);
  CHECK(h.group(b).status() == mls::Group::Status::kRemoved);
  CHECK(h.agree());
  // A forged hub proposal (another key) is refused.
  mls::FramedContent forged_removal = removal;
  forged_removal.epoch = h.group(a).epoch();
  mls::MlsMessage forged;
  forged.body = mls::protect_public(crypto, forged_removal, mls::Bytes(32, 78), {},
                                    h.group(a).public_state().context_bytes);
  CHECK(reason_of(h.group(outsider), forged) == mls::Rejection::kBadSignature);
}

TEST_CASE("a shared transition does not excuse a member a proposal it never received",
          "[mls][group]") {
  mls::GroupConfig config;
  config.cache = std::make_shared<mls::EpochCache>();
  GroupHarness h(config, 38);
  const auto ids = h.found(4);
  // Member 3 misses member 2's Update; member 0 commits it by reference.
  const mls::MlsMessage update = h.group(ids[2]).propose_update();
  for (const int m : {ids[0], ids[1]})
    h.group(m).handle(update);
  const mls::CommitOutput out = h.group(ids[0]).commit();
  h.group(ids[1]).handle(out.commit);  // computes (and shares) the transition
  const std::uint64_t hits = config.cache->hits();
  CHECK(reason_of(h.group(ids[3]), out.commit) == mls::Rejection::kUnknownProposal);
  CHECK(config.cache->hits() >= hits);
  h.group(ids[2]).handle(out.commit);
  CHECK(h.group(ids[2]).epoch() == h.group(ids[1]).epoch());
}

TEST_CASE("external PSKs come from the group's store or its lookup, else the commit is refused",
          "[mls][group]") {
  mls::GroupConfig config;
  config.crypto = &mls::fast_crypto();
  GroupHarness h(config, 41);
  const std::vector<int> ids = h.found(3);
  const mls::Bytes psk_id = mls::to_bytes("shared psk"), psk(32, 0x5c);
  mls::PreSharedKeyId id;
  id.psk_id = psk_id;
  id.psk_nonce = mls::Bytes(32, 1);
  mls::CommitOptions options;
  options.by_value.push_back(mls::Proposal{mls::PreSharedKeyProposal{id}});
  h.group(ids[0]).add_external_psk(psk_id, psk);  // the committer holds it
  // Member 1 finds it through its lookup only; member 2 has neither.
  h.group(ids[1]).set_psk_lookup([&](const mls::Bytes& asked) -> std::optional<mls::Bytes> {
    if (asked == psk_id) return psk;
    return std::nullopt;
  });
  mls::Group without = h.group(ids[2]);
  const mls::CommitOutput out = h.group(ids[0]).commit(options);
  h.group(ids[1]).handle(out.commit);
  h.group(ids[0]).handle(out.commit);
  CHECK(h.group(ids[1]).epoch_authenticator() == h.group(ids[0]).epoch_authenticator());
  CHECK(reason_of(without, out.commit) == mls::Rejection::kUnknownPsk);
}

TEST_CASE("members sharing opened application messages still use up their own keys",
          "[mls][group]") {
  mls::GroupConfig shared_config;
  shared_config.cache = std::make_shared<mls::EpochCache>();
  GroupHarness h(shared_config, 44);
  const auto ids = h.found(4);
  const mls::MlsMessage hello = h.group(ids[0]).protect(mls::to_bytes("hello"));
  // The first member opens it; the second reuses that (and reads the same); each one's key for
  // it is then used: a replay is refused at each, independently.
  CHECK(*h.group(ids[1]).handle(hello).application_data == mls::to_bytes("hello"));
  CHECK(*h.group(ids[2]).handle(hello).application_data == mls::to_bytes("hello"));
  CHECK(reason_of(h.group(ids[1]), hello) == mls::Rejection::kKeyConsumed);
  CHECK(reason_of(h.group(ids[2]), hello) == mls::Rejection::kKeyConsumed);
  CHECK(*h.group(ids[3]).handle(hello).application_data == mls::to_bytes("hello"));
  // A tampered ciphertext is another message: refused at every member, as without sharing.
  mls::MlsMessage tampered = h.group(ids[0]).protect(mls::to_bytes("second"));
  std::get<mls::PrivateMessage>(tampered.body).ciphertext.back() ^= 1;
  for (const int m : {ids[1], ids[2]})
    CHECK(reason_of(h.group(m), tampered) == mls::Rejection::kUndecryptable);
  // The same group without sharing (same seed) sends the same bytes and reads the same.
  const mls::MlsMessage third = h.group(ids[0]).protect(mls::to_bytes("third"));
  mls::GroupConfig alone_config;
  GroupHarness alone(alone_config, 44);
  const auto same_ids = alone.found(4);
  alone.group(same_ids[0]).protect(mls::to_bytes("hello"));
  alone.group(same_ids[0]).protect(mls::to_bytes("second"));
  const mls::MlsMessage third_alone = alone.group(same_ids[0]).protect(mls::to_bytes("third"));
  CHECK(std::get<mls::PrivateMessage>(third.body) ==
        std::get<mls::PrivateMessage>(third_alone.body));  // same seed: same bytes
  CHECK(*h.group(ids[3]).handle(third).application_data ==
        *alone.group(same_ids[3]).handle(third_alone).application_data);
}

TEST_CASE(
    "members processing a shared transition share the key pairs of the path nodes they reach — "
    "without a cache each derives equal pairs of its own",
    "[mls][group]") {
  for (const bool shared : {true, false}) {
    CAPTURE(shared);
    mls::GroupConfig config;
    config.crypto = &mls::fast_crypto();
    if (shared) config.cache = std::make_shared<mls::EpochCache>();
    GroupHarness h(config, 47);
    const auto ids = h.found(4);
    const mls::CommitOutput out = h.group(ids[0]).commit();  // an empty commit: a full path
    for (const int m : {ids[0], ids[1], ids[2], ids[3]})
      h.group(m).handle(out.commit);
    // Leaves 0-3: the root is node 3; every other member derives its key pair from the path.
    const mls::NodeIndex root = 3;
    const mls::HpkeKeyPair* first = h.group(ids[1]).path_keys().find(root);
    REQUIRE(first != nullptr);
    CHECK(first->public_key == h.group(ids[1]).public_state().tree.public_key(root));
    for (const int m : {ids[2], ids[3]}) {
      const mls::HpkeKeyPair* key = h.group(m).path_keys().find(root);
      REQUIRE(key != nullptr);
      CHECK(key->private_key == first->private_key);
      CHECK((key == first) == shared);
    }
    CHECK(h.group(ids[1]).epoch_authenticator() == h.group(ids[0]).epoch_authenticator());
  }
}
