// The stateful secret tree: the interop vectors through it, one use per key, the out-of-order
// window and its limits, and deletion of what is no longer needed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "models/mls/drbg.hpp"
#include "models/mls/secret_tree_state.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("the secret tree state reproduces the interop vectors", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/secret-tree.json");
  for (const auto& v : vectors) {
    const auto n = static_cast<std::uint32_t>(v["leaves"].size());
    mls::SecretTreeState tree(mls::real_crypto(), hex(v["encryption_secret"]), n);
    for (std::uint32_t leaf = 0; leaf < n; ++leaf) {
      for (const auto& g : v["leaves"][leaf]) {
        const auto generation = g["generation"].get<std::uint32_t>();
        CAPTURE(n, leaf, generation);
        const auto hs = tree.take(leaf, mls::RatchetType::kHandshake, generation);
        const auto app = tree.take(leaf, mls::RatchetType::kApplication, generation);
        REQUIRE(hs.error == mls::KeyError::kNone);
        REQUIRE(app.error == mls::KeyError::kNone);
        CHECK(hs.key.key == hex(g["handshake_key"]));
        CHECK(hs.key.nonce == hex(g["handshake_nonce"]));
        CHECK(app.key.key == hex(g["application_key"]));
        CHECK(app.key.nonce == hex(g["application_nonce"]));
      }
    }
    // Every leaf was opened: no node secret is left, only ratchets and their windows.
    CHECK(tree.secrets_held() <= 2 * n * (1 + mls::SecretTreeLimits{}.out_of_order_tolerance));
  }
}

TEST_CASE("keys are used once, out of order within the window, never beyond it", "[mls]") {
  const mls::Bytes secret(32, 7);
  mls::SecretTreeState sender(mls::real_crypto(), secret, 4, {3, 20});
  mls::SecretTreeState receiver(mls::real_crypto(), secret, 4, {3, 20});
  std::vector<mls::SecretTreeState::Next> sent;
  for (int i = 0; i < 30; ++i)
    sent.push_back(sender.next(2, mls::RatchetType::kApplication));
  CHECK(sent[29].generation == 29);
  // 5 arrives first: 0..4 wait in the window, but only the newest 3 (2, 3, 4) are kept.
  auto got = receiver.take(2, mls::RatchetType::kApplication, 5);
  REQUIRE(got.error == mls::KeyError::kNone);
  CHECK(got.key.key == sent[5].key.key);
  CHECK(receiver.take(2, mls::RatchetType::kApplication, 3).key.nonce == sent[3].key.nonce);
  CHECK(receiver.take(2, mls::RatchetType::kApplication, 3).error == mls::KeyError::kConsumed);
  CHECK(receiver.take(2, mls::RatchetType::kApplication, 5).error == mls::KeyError::kConsumed);
  CHECK(receiver.take(2, mls::RatchetType::kApplication, 0).error == mls::KeyError::kTooOld);
  CHECK(receiver.take(2, mls::RatchetType::kApplication, 27).error == mls::KeyError::kTooFarAhead);
  CHECK(receiver.take(2, mls::RatchetType::kApplication, 26).key.key == sent[26].key.key);
  CHECK(receiver.take(9, mls::RatchetType::kApplication, 0).error == mls::KeyError::kNoSuchLeaf);
  // The handshake ratchet of the same leaf is independent.
  CHECK(receiver.take(2, mls::RatchetType::kHandshake, 0).error == mls::KeyError::kNone);
  CHECK(std::string(mls::to_string(mls::KeyError::kTooFarAhead)) == "too_far_ahead");
}

TEST_CASE("node secrets are deleted once both children exist", "[mls]") {
  mls::SecretTreeState tree(mls::real_crypto(), mls::Bytes(32, 1), 8);
  CHECK(tree.secrets_held() == 1);  // the root
  tree.next(0, mls::RatchetType::kApplication);
  // Leaf 0 opened: its 3 ancestors' secrets replaced by their other children (1 each), the leaf's
  // two ratchets started.
  CHECK(tree.secrets_held() == 3 + 2);
  for (mls::LeafIndex l = 1; l < 8; ++l)
    tree.next(l, mls::RatchetType::kApplication);
  CHECK(tree.secrets_held() == 16);  // only the 16 ratchets are left
}

TEST_CASE("skipped keys held for out-of-order messages count until used or pushed out", "[mls]") {
  mls::SecretTreeLimits limits;
  limits.out_of_order_tolerance = 4;
  mls::SecretTreeState tree(mls::fast_crypto(), mls::Bytes(32, 1), 2, limits);
  // Leaf 1's application message 6 first: the root's secret gives way to leaf 0's (one node
  // secret), two ratchets start, generations 0..5 are skipped and the newest 4 (2..5) kept.
  REQUIRE(tree.take(1, mls::RatchetType::kApplication, 6).error == mls::KeyError::kNone);
  CHECK(tree.secrets_held() == 1 + 2 + 4);
  REQUIRE(tree.take(1, mls::RatchetType::kApplication, 3).error == mls::KeyError::kNone);
  CHECK(tree.secrets_held() == 1 + 2 + 3);
  CHECK(tree.take(1, mls::RatchetType::kApplication, 3).error == mls::KeyError::kConsumed);
  CHECK(tree.take(1, mls::RatchetType::kApplication, 1).error == mls::KeyError::kTooOld);
  // Jumping to 12 skips 7..11: 2, 4, 5 and 7 are pushed out by the newest four (8..11).
  REQUIRE(tree.take(1, mls::RatchetType::kApplication, 12).error == mls::KeyError::kNone);
  CHECK(tree.secrets_held() == 1 + 2 + 4);
  CHECK(tree.take(1, mls::RatchetType::kApplication, 7).error == mls::KeyError::kTooOld);
  CHECK(tree.take(1, mls::RatchetType::kApplication, 9).error == mls::KeyError::kNone);
  CHECK(tree.secrets_held() == 1 + 2 + 3);
}

TEST_CASE("members sharing an epoch's derivations keep their own deletions", "[mls]") {
  const mls::Bytes secret(32, 3);
  auto shared = std::make_shared<mls::SharedSecretTree>(mls::real_crypto(), secret, 8);
  mls::SecretTreeState a(mls::real_crypto(), secret, 8, {}, shared);
  mls::SecretTreeState b(mls::real_crypto(), secret, 8, {}, shared);
  mls::SecretTreeState alone(mls::real_crypto(), secret, 8);
  const auto app = mls::RatchetType::kApplication;
  const mls::SecretTreeState::Taken first = a.take(3, app, 2);
  REQUIRE(first.error == mls::KeyError::kNone);
  CHECK(a.take(3, app, 2).error == mls::KeyError::kConsumed);
  // b has used nothing: the same key is still there for it, and equals an unshared derivation.
  const mls::SecretTreeState::Taken second = b.take(3, app, 2);
  REQUIRE(second.error == mls::KeyError::kNone);
  CHECK(second.key.key == first.key.key);
  CHECK(second.key.nonce == first.key.nonce);
  CHECK(alone.take(3, app, 2).key.key == first.key.key);
  CHECK(alone.next(5, mls::RatchetType::kHandshake).key.key ==
        b.next(5, mls::RatchetType::kHandshake).key.key);
  // What a holds is what an unshared state holds after the same use.
  mls::SecretTreeState same_use(mls::real_crypto(), secret, 8);
  REQUIRE(same_use.take(3, app, 2).error == mls::KeyError::kNone);
  CHECK(a.secrets_held() == same_use.secrets_held());
  CHECK(a.secrets_held() != alone.secrets_held());
  CHECK_THROWS_AS(mls::SecretTreeState(mls::real_crypto(), secret, 16, {}, shared),
                  std::invalid_argument);
}

TEST_CASE("node secrets held match a recount of RFC 9420's deletion rule", "[mls]") {
  // The reference: node secrets as a set, each opened leaf deriving down from its deepest held
  // ancestor (both children kept, the parent deleted), the leaf's own secret deleted.
  const std::uint32_t n = 64;
  std::mt19937 rng(7);
  std::vector<mls::LeafIndex> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  mls::SecretTreeState tree(mls::fast_crypto(), mls::Bytes(32, 4), n);
  std::set<mls::NodeIndex> held{mls::root(n)};
  for (std::size_t opened = 1; opened <= n; ++opened) {
    const mls::LeafIndex leaf = order[opened - 1];
    std::vector<mls::NodeIndex> path{mls::leaf_node(leaf)};
    for (const mls::NodeIndex p : mls::direct_path(mls::leaf_node(leaf), n))
      path.push_back(p);
    std::size_t top = 0;
    while (held.count(path[top]) == 0)
      ++top;
    for (std::size_t i = top; i > 0; --i) {
      held.erase(path[i]);
      held.insert(mls::left(path[i]));
      held.insert(mls::right(path[i]));
    }
    held.erase(path[0]);
    tree.next(leaf, mls::RatchetType::kApplication);
    INFO("leaf " << leaf);
    // Two ratchets per opened leaf, each one generation on for the application ratchet only.
    CHECK(tree.secrets_held() == held.size() + 2 * opened);
  }
}

TEST_CASE("members that settle on the same opened leaves share them — and part on a change",
          "[mls]") {
  const mls::Bytes secret(32, 5);
  auto shared = std::make_shared<mls::SharedSecretTree>(mls::fast_crypto(), secret, 8);
  const auto app = mls::RatchetType::kApplication;
  std::vector<mls::SecretTreeState> members;
  for (int i = 0; i < 3; ++i)
    members.emplace_back(mls::fast_crypto(), secret, 8, mls::SecretTreeLimits{}, shared);
  // Members 0 and 1 read the same two messages (in either order); member 2 reads one more.
  REQUIRE(members[0].take(2, app, 0).error == mls::KeyError::kNone);
  REQUIRE(members[0].take(6, app, 1).error == mls::KeyError::kNone);
  REQUIRE(members[1].take(6, app, 1).error == mls::KeyError::kNone);
  REQUIRE(members[1].take(2, app, 0).error == mls::KeyError::kNone);
  REQUIRE(members[2].take(2, app, 0).error == mls::KeyError::kNone);
  REQUIRE(members[2].take(4, app, 0).error == mls::KeyError::kNone);
  REQUIRE(members[2].take(6, app, 1).error == mls::KeyError::kNone);
  const std::size_t held = members[0].secrets_held();
  for (mls::SecretTreeState& m : members)
    m.settle();
  CHECK(members[0].shares_opened_leaves(members[1]));
  CHECK_FALSE(members[0].shares_opened_leaves(members[2]));
  CHECK(members[0].secrets_held() == held);
  // Member 1 reads a late message: only its own state moves.
  REQUIRE(members[1].take(6, app, 3).error == mls::KeyError::kNone);
  CHECK_FALSE(members[0].shares_opened_leaves(members[1]));
  CHECK(members[1].take(6, app, 3).error == mls::KeyError::kConsumed);
  CHECK(members[0].take(6, app, 3).error == mls::KeyError::kNone);  // still there for member 0
  CHECK(members[0].take(2, app, 0).error == mls::KeyError::kConsumed);
  CHECK(members[1].take(6, app, 2).error == mls::KeyError::kNone);  // its window kept it
  // Member 0 reads the same two late messages: settled again, it shares member 1's list.
  REQUIRE(members[0].take(6, app, 2).error == mls::KeyError::kNone);
  CHECK(members[0].shares_opened_leaves(members[1]));
  CHECK(members[0].secrets_held() == members[1].secrets_held());
}

TEST_CASE("members reading the same messages in the same order hold one opened-leaf list",
          "[mls]") {
  const mls::Bytes secret(32, 9);
  auto shared = std::make_shared<mls::SharedSecretTree>(mls::fast_crypto(), secret, 16);
  const auto app = mls::RatchetType::kApplication;
  std::vector<mls::SecretTreeState> members;
  for (int i = 0; i < 3; ++i)
    members.emplace_back(mls::fast_crypto(), secret, 16, mls::SecretTreeLimits{}, shared);
  mls::SecretTreeState alone(mls::fast_crypto(), secret, 16);  // its own derivations and lists
  // (leaf, generation) of the messages members 0 and 1 read, in order; member 2 skips the third.
  const std::vector<std::pair<mls::LeafIndex, std::uint32_t>> reads = {{3, 0},  {9, 0}, {3, 2},
                                                                       {15, 0}, {3, 1}, {9, 1}};
  for (std::size_t k = 0; k < reads.size(); ++k) {
    const auto [leaf, generation] = reads[k];
    const auto expected = alone.take(leaf, app, generation);
    for (int i = 0; i < 3; ++i) {
      if (i == 2 && k == 2) continue;
      const auto got = members[i].take(leaf, app, generation);
      CHECK(got.error == expected.error);
      CHECK(got.key.key == expected.key.key);
    }
    CHECK(members[0].shares_opened_leaves(members[1]));
    CHECK(members[0].secrets_held() == alone.secrets_held());
    CHECK(members[1].secrets_held() == alone.secrets_held());
  }
  CHECK_FALSE(members[0].shares_opened_leaves(members[2]));
  // Member 2 skipped generation 2 of leaf 3 and read 1 then: its window keeps generation 2.
  CHECK(members[2].take(3, app, 2).error == mls::KeyError::kNone);
  CHECK(members[0].take(3, app, 2).error == mls::KeyError::kConsumed);
  // The sender's own ratchet moves the same way: it shares the list of members at its step.
  mls::SecretTreeState sender(mls::fast_crypto(), secret, 16, mls::SecretTreeLimits{}, shared);
  mls::SecretTreeState reader(mls::fast_crypto(), secret, 16, mls::SecretTreeLimits{}, shared);
  const auto sent = sender.next(5, app);
  CHECK(reader.take(5, app, sent.generation).key.key == sent.key.key);
  CHECK(sender.shares_opened_leaves(reader));
}

TEST_CASE("using a key without taking it answers and deletes as taking it does", "[mls]") {
  const mls::Bytes secret(32, 9);
  mls::SecretTreeState taker(mls::real_crypto(), secret, 8, {4, 30});
  mls::SecretTreeState user(mls::real_crypto(), secret, 8, {4, 30});
  mls::Drbg drbg(mls::Bytes(32, 3));
  int kinds[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 3000; ++i) {
    const mls::Bytes r = drbg.bytes(3);
    const mls::LeafIndex leaf = r[0] % 9;  // leaf 8 does not exist
    const auto type = r[1] % 2 == 0 ? mls::RatchetType::kApplication : mls::RatchetType::kHandshake;
    const std::uint32_t generation = r[2] % 48;
    const mls::SecretTreeState::Taken taken = taker.take(leaf, type, generation);
    const mls::KeyError used = user.use(leaf, type, generation);
    REQUIRE(used == taken.error);
    REQUIRE(user.secrets_held() == taker.secrets_held());
    ++kinds[static_cast<int>(used)];
  }
  for (const int n : kinds)
    CHECK(n > 0);  // every answer came up
}
