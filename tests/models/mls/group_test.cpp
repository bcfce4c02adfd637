// The group state machine end to end: adds with Welcomes, updates by reference, removes,
// application messages, both providers; agreement is checked on epoch_authenticator.
#include <catch2/catch.hpp>

#include "tests/models/mls/group_harness.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::GroupHarness;

namespace {

mls::Proposal add_of(GroupHarness& h, int client) {
  return mls::Proposal{mls::AddProposal{h.client(client).key_package}};
}

}  // namespace

TEST_CASE("a group grows by Welcome, updates, removes and agrees at every epoch", "[mls][group]") {
  for (const mls::CryptoProvider* crypto : {&mls::real_crypto(), &mls::fast_crypto()}) {
    INFO(crypto->name());
    mls::GroupConfig config;
    config.crypto = crypto;
    GroupHarness h(config);
    const int a = h.new_client(), b = h.new_client(), c = h.new_client(), d = h.new_client();
    h.create(a);
    CHECK(h.group(a).epoch() == 0);
    mls::CommitOptions add_b;
    add_b.by_value = {add_of(h, b)};
    h.commit(a, add_b, {b});
    REQUIRE(h.agree());
    CHECK(h.group(b).epoch() == 1);
    CHECK(h.group(b).member_count() == 2);

    // c and d added by b (without a path: Adds do not need one).
    mls::CommitOptions add_cd;
    add_cd.by_value = {add_of(h, c), add_of(h, d)};
    add_cd.force_path = false;
    h.commit(b, add_cd, {c, d});
    REQUIRE(h.agree());
    CHECK(h.group(d).member_count() == 4);

    // c proposes an Update; d commits it by reference.
    h.broadcast(h.group(c).propose_update(), -1);
    CHECK(h.group(d).cached_proposals() == 1);
    h.commit(d);
    REQUIRE(h.agree());
    CHECK(h.group(a).epoch() == 3);

    // Application data from c reaches everyone.
    const mls::MlsMessage hello = h.group(c).protect(mls::to_bytes("hello"));
    for (const int m : {a, b, d}) {
      const mls::Received r = h.group(m).handle(hello);
      CHECK(r.type == mls::ContentType::kApplication);
      CHECK(*r.application_data == mls::to_bytes("hello"));
      CHECK(r.sender.index == h.group(c).own_leaf());
    }

    // a removes b; b learns it is out.
    mls::CommitOptions remove_b;
    remove_b.by_value = {mls::Proposal{mls::RemoveProposal{h.group(b).own_leaf()}}};
    h.commit(a, remove_b);
    CHECK(h.group(b).status() == mls::Group::Status::kRemoved);
    REQUIRE(h.agree());
    CHECK(h.group(a).member_count() == 3);
    CHECK(h.members() == std::vector<int>{a, c, d});
  }
}

TEST_CASE("a bootstrapped group is a valid fully populated tree its members can use",
          "[mls][group]") {
  for (const mls::CryptoProvider* crypto : {&mls::real_crypto(), &mls::fast_crypto()}) {
    INFO(crypto->name());
    mls::Drbg drbg(mls::Bytes(32, 3));
    const mls::BootstrappedGroup boot =
        mls::bootstrap_group(*crypto, mls::to_bytes("boot"), 13, drbg);
    const mls::RatchetTree& tree = boot.epoch->tree;
    CHECK(tree.leaf_count() == 16);
    for (mls::NodeIndex n = 1; n < mls::node_width(13); n += 2) {
      CHECK(tree.parent_node(n) != nullptr);  // every parent over a member is populated
    }
    CHECK(tree.parent_hashes_valid());
    CHECK(tree.leaf_signatures_valid(*crypto, mls::to_bytes("boot")));
    mls::GroupConfig config;
    config.crypto = crypto;
    std::vector<mls::Group> members;
    for (mls::LeafIndex l = 0; l < 13; ++l)
      members.push_back(mls::Group::restore(config, boot, l, drbg.fork()));
    // Member 5 commits with a path; everyone else decrypts it.
    const mls::CommitOutput out = members[5].commit();
    for (mls::LeafIndex l = 0; l < 13; ++l)
      members[l].handle(out.commit);
    for (const mls::Group& m : members) {
      CHECK(m.epoch() == 1);
      CHECK(m.epoch_authenticator() == members[0].epoch_authenticator());
    }
    // A newcomer joins by Welcome: the tree passes a joiner's full validation.
    mls::KeyPackageSecrets secrets;
    const mls::KeyPackage kp =
        mls::make_key_package(*crypto, mls::to_bytes("@new:x/D"), drbg.bytes(32), drbg.bytes(32),
                              drbg.bytes(32), mls::Lifetime{0, 1000}, &secrets);
    mls::CommitOptions add;
    add.by_value = {mls::Proposal{mls::AddProposal{kp}}};
    const mls::CommitOutput added = members[12].commit(add);
    for (mls::Group& m : members)
      m.handle(added.commit);
    const mls::Group joiner = mls::Group::join(config, std::get<mls::Welcome>(added.welcome->body),
                                               kp, secrets, std::nullopt, {}, drbg.fork());
    CHECK(joiner.epoch_authenticator() == members[0].epoch_authenticator());
    CHECK(joiner.member_count() == 14);
  }
}

TEST_CASE("groups made from one shared configuration hold that object, and a change is their own",
          "[mls]") {
  mls::Drbg drbg(mls::Bytes(32, 9));
  const auto [boot, shared] = dmlssim::testing::shared_bootstrap("shared", 3, drbg);
  mls::Group a = mls::Group::restore(shared, boot, 0, drbg.fork());
  mls::Group b = mls::Group::restore(shared, boot, 1, drbg.fork());
  const mls::Group own = mls::Group::restore(*shared, boot, 2, drbg.fork());  // its own copy
  CHECK(a.shared_config() == shared);
  CHECK(b.shared_config() == shared);
  CHECK(own.shared_config() != shared);
  // A PSK look-up set on one group is its own copy: the shared object and the others keep none.
  a.set_psk_lookup([](const mls::Bytes&) { return std::optional<mls::Bytes>(); });
  CHECK(a.shared_config() != shared);
  CHECK(a.shared_config()->psk_lookup);
  CHECK_FALSE(shared->psk_lookup);
  CHECK(b.shared_config() == shared);
  // The groups work alike: a commit of one is processed by the others.
  const mls::CommitOutput out = b.commit();
  a.handle(out.commit);
  b.handle(out.commit);
  CHECK(a.epoch_authenticator() == b.epoch_authenticator());
}
