// A device's tree of DMLS epochs: a split commits on both sides, every device reads both forks once
// healed; messages for epochs not reached wait for their commit; duplicates, replays, forgotten
// epochs, removal on one fork and tampering are classified; what each epoch was is remembered.
#include <catch2/catch.hpp>

#include "models/dmls/epoch_tree.hpp"
#include "models/dmls/key_schedule.hpp"
#include "tests/models/dmls/dmls_world.hpp"

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;
using Kind = dmls::TreeEvent::Kind;

namespace {

using dmlssim::testing::DmlsWorld;

mls::Bytes only_child(const dmls::TreeEvents& events) {
  REQUIRE(events.size() == 1);
  REQUIRE(events[0].kind == Kind::kEpochCreated);
  return events[0].child;
}

}  // namespace

TEST_CASE("both sides of a split commit — once healed every device holds and reads both forks",
          "[dmls]") {
  DmlsWorld w;
  for (int i = 1; i < 4; ++i)
    CHECK(w.tree(i).root() == w.root);
  const auto x = w.tree(0).commit(w.root);  // side A: devices 0, 1
  const auto y = w.tree(2).commit(w.root);  // side B: devices 2, 3
  const auto echo = w.deliver(x.commit, 0);
  REQUIRE(echo.size() == 1);
  CHECK(echo[0].own_commit);
  const mls::Bytes ex = echo[0].child;
  CHECK(only_child(w.deliver(x.commit, 1)) == ex);
  const mls::Bytes ey = only_child(w.deliver(y.commit, 2));
  CHECK(only_child(w.deliver(y.commit, 3)) == ey);
  CHECK(ex != ey);
  const dmls::DmlsMessage from_a = w.tree(0).protect(ex, mls::to_bytes("from A"));
  const dmls::DmlsMessage from_b = w.tree(3).protect(ey, mls::to_bytes("from B"));
  CHECK(*w.deliver(from_a, 1)[0].received.application_data == mls::to_bytes("from A"));
  // Healed: each side processes the other's commit on the retained root, then reads its message.
  for (const int i : {0, 1}) {
    CHECK(only_child(w.deliver(y.commit, i)) == ey);
    const auto read = w.deliver(from_b, i);
    CHECK(read[0].kind == Kind::kApplication);
    CHECK(*read[0].received.application_data == mls::to_bytes("from B"));
  }
  for (const int i : {2, 3}) {
    CHECK(only_child(w.deliver(x.commit, i)) == ex);
    CHECK(*w.deliver(from_a, i)[0].received.application_data == mls::to_bytes("from A"));
  }
  for (int i = 0; i < 4; ++i) {
    CHECK(w.tree(i).heads() ==
          (i < 2 ? std::vector<mls::Bytes>{ex, ey} : std::vector<mls::Bytes>{ey, ex}));
    CHECK(w.tree(i).parent(ex) == w.root);
    CHECK(w.tree(i).group(ex).epoch_authenticator() == w.tree(0).group(ex).epoch_authenticator());
    CHECK(w.tree(i).group(ey).epoch_authenticator() == w.tree(0).group(ey).epoch_authenticator());
  }
}

TEST_CASE("messages for epochs not reached wait for the commits that create them", "[dmls]") {
  DmlsWorld w;
  const auto x = w.tree(0).commit(w.root);
  const mls::Bytes ex = only_child(w.deliver(x.commit, 0));
  const auto x2 = w.tree(0).commit(ex);
  const mls::Bytes ex2 = only_child(w.deliver(x2.commit, 0));
  const dmls::DmlsMessage late = w.tree(0).protect(ex2, mls::to_bytes("two epochs on"));
  // Device 3 gets them newest first.
  CHECK(w.deliver(late, 3)[0].kind == Kind::kBuffered);
  CHECK(w.deliver(x2.commit, 3)[0].kind == Kind::kBuffered);
  CHECK(w.tree(3).buffered() == 2);
  const auto events = w.deliver(x.commit, 3);
  REQUIRE(events.size() == 3);
  CHECK(events[0].child == ex);
  CHECK(events[1].kind == Kind::kEpochCreated);
  CHECK(events[1].child == ex2);
  CHECK(events[2].kind == Kind::kApplication);
  CHECK(*events[2].received.application_data == mls::to_bytes("two epochs on"));
  CHECK(w.tree(3).buffered() == 0);
  CHECK(w.tree(3).heads() == std::vector<mls::Bytes>{ex2});
}

TEST_CASE("duplicates, replays, forgotten and never reached epochs, tampering are classified",
          "[dmls]") {
  DmlsWorld w;
  const auto x = w.tree(0).commit(w.root);
  const mls::Bytes ex = only_child(w.deliver(x.commit, 0));
  only_child(w.deliver(x.commit, 1));
  const auto again = w.deliver(x.commit, 1);
  CHECK(again[0].kind == Kind::kDuplicateCommit);
  CHECK(again[0].child == ex);

  const dmls::DmlsMessage m = w.tree(0).protect(ex, mls::to_bytes("once"));
  CHECK(w.deliver(m, 1)[0].kind == Kind::kApplication);
  const auto replay = w.deliver(m, 1);
  CHECK(replay[0].kind == Kind::kUndecryptable);
  CHECK(replay[0].cause == dmls::Undecryptable::kKeyConsumed);

  dmls::DmlsMessage tampered = w.tree(0).protect(ex, mls::to_bytes("tampered"));
  std::get<mls::PrivateMessage>(tampered.message.body).ciphertext[3] ^= 1;
  const auto bad = w.deliver(tampered, 1);
  CHECK(bad[0].cause == dmls::Undecryptable::kRejected);
  CHECK(bad[0].rejection == mls::Rejection::kUndecryptable);

  w.tree(1).forget(ex);
  CHECK_FALSE(w.tree(1).holds(ex));
  const auto deleted = w.deliver(w.tree(0).protect(ex, mls::to_bytes("late")), 1);
  CHECK(deleted[0].cause == dmls::Undecryptable::kEpochDeleted);

  dmls::DmlsMessage lost = w.tree(0).protect(ex, mls::to_bytes("lost"));
  lost.dmls_epoch = mls::Bytes(32, 0xee);  // an epoch no commit will ever create
  CHECK(w.deliver(lost, 2)[0].kind == Kind::kBuffered);
  const auto given_up = w.tree(2).give_up();
  REQUIRE(given_up.size() == 1);
  CHECK(given_up[0].cause == dmls::Undecryptable::kEpochNeverReached);
  CHECK(w.tree(2).buffered() == 0);
  CHECK(std::string(dmls::to_string(given_up[0].cause)) == "epoch_never_reached");
}

TEST_CASE("epoch records count the leaves a commit blanked and filled", "[dmls]") {
  DmlsWorld w;
  const int a = w.h.new_client(), b = w.h.new_client();
  mls::CommitOptions change;
  change.by_value.push_back(mls::Proposal{mls::RemoveProposal{w.tree(3).group(w.root).own_leaf()}});
  change.by_value.push_back(mls::Proposal{mls::AddProposal{w.h.client(a).key_package}});
  change.by_value.push_back(mls::Proposal{mls::AddProposal{w.h.client(b).key_package}});
  const auto c = w.tree(1).commit(w.root, change);
  // The committer merging its own commit and two receivers count alike: one removed, two added
  // (the first joiner takes device 3's freed leaf: that leaf counts once each way).
  for (const int device : {1, 0, 2}) {
    const mls::Bytes child = only_child(w.deliver(c.commit, device));
    const dmls::EpochRecord& r = w.tree(device).record(child);
    INFO("device " << device);
    CHECK(r.removed() == 1);
    CHECK(r.added() == 2);
    CHECK(r.committer() == w.identity(1));
  }
}

TEST_CASE("trees sharing a run's tables share an epoch's facts — equal to those worked out alone",
          "[dmls]") {
  // The same commit in two worlds of the same seed: trees with their own tables, and trees
  // sharing one (as in a run). The committer merging its own commit and the receivers hold one
  // facts object in the second, and every record reads the same in both.
  auto tables = std::make_shared<dmls::TreeTables>();
  DmlsWorld alone(4, 7), shared(4, 7, false, tables);
  REQUIRE(alone.root == shared.root);
  for (DmlsWorld* w : {&alone, &shared}) {
    mls::CommitOptions change;
    change.by_value.push_back(
        mls::Proposal{mls::RemoveProposal{w->tree(3).group(w->root).own_leaf()}});
    const auto c = w->tree(1).commit(w->root, change);
    for (const int device : {1, 0, 2})
      only_child(w->deliver(c.commit, device));
  }
  const mls::Bytes child = alone.tree(0).heads().front();
  // The epoch's id: derived by the first device, found again in the tables by the others.
  for (const int device : {1, 0, 2})
    CHECK(shared.tree(device).holds(child));
  REQUIRE(tables->created.size() == 1);
  CHECK(tables->created.begin()->first == child);
  const dmls::EpochFacts* facts = tables->created.at(child).get();
  for (const int device : {1, 0, 2}) {
    INFO("device " << device);
    const dmls::EpochRecord& mine = shared.tree(device).record(child);
    const dmls::EpochRecord& own = alone.tree(device).record(child);
    CHECK(mine.facts.get() == facts);
    CHECK(own.facts.get() != facts);
    CHECK(mine.parent() == own.parent());
    CHECK(mine.number() == own.number());
    CHECK(mine.committer() == own.committer());
    CHECK(mine.confirmation_tag() == own.confirmation_tag());
    CHECK(mine.confirmed_transcript_hash() == own.confirmed_transcript_hash());
    CHECK(mine.removed() == 1);
    CHECK(mine.added() == own.added());
    CHECK(shared.tree(device).senders(child) == alone.tree(device).senders(child));
  }
  // Roots are each tree's own: no commit made them.
  CHECK(shared.tree(0).record(shared.root).facts != shared.tree(1).record(shared.root).facts);

  // Once superseded, records that saw the same senders hold one list; a sender seen later by
  // one device changes its own list only, which is then settled again.
  const dmls::DmlsMessage hello = shared.tree(2).protect(child, mls::to_bytes("hello"));
  for (const int device : {0, 1})
    shared.deliver(hello, device);
  const auto next = shared.tree(0).commit(child);
  for (const int device : {0, 1, 2})
    only_child(shared.deliver(next.commit, device));
  const std::vector<dmls::IdentityId>& seen0 = shared.tree(0).record(child).senders();
  CHECK(&seen0 == &shared.tree(1).record(child).senders());
  CHECK(&seen0 == &shared.tree(2).record(child).senders());  // the sender noted itself
  CHECK(shared.tree(0).senders(child) == shared.tree(1).senders(child));
  const dmls::DmlsMessage late = shared.tree(0).protect(child, mls::to_bytes("late"));
  shared.deliver(late, 1);
  CHECK(shared.tree(1).senders(child).count(shared.identity(0)) == 1);
  CHECK(shared.tree(0).senders(child).count(shared.identity(0)) == 1);  // its own send
  CHECK(shared.tree(2).senders(child).count(shared.identity(0)) == 0);
  // Each changed list was settled again: devices 0 and 1 saw the same senders again, 2 did not.
  CHECK(&shared.tree(0).record(child).senders() == &shared.tree(1).record(child).senders());
  CHECK(&shared.tree(0).record(child).senders() != &shared.tree(2).record(child).senders());
}

TEST_CASE("a device removed on one fork keeps the other", "[dmls]") {
  DmlsWorld w;
  mls::CommitOptions remove;
  remove.by_value.push_back(mls::Proposal{mls::RemoveProposal{w.tree(3).group(w.root).own_leaf()}});
  const auto x = w.tree(0).commit(w.root, remove);  // side A removes device 3
  const auto y = w.tree(2).commit(w.root);          // side B goes on with it
  const mls::Bytes ex = only_child(w.deliver(x.commit, 0));
  const mls::Bytes ey = only_child(w.deliver(y.commit, 3));
  const auto removed = w.deliver(x.commit, 3);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].kind == Kind::kRemoved);
  CHECK_FALSE(w.tree(3).holds(ex));
  CHECK(w.tree(3).heads() == std::vector<mls::Bytes>{ey});
  // Device 0 remembers who made each epoch and what the commits did.
  only_child(w.deliver(y.commit, 0));
  const dmls::EpochRecord& rx = w.tree(0).record(ex);
  CHECK(rx.committer() == w.identity(0));
  CHECK(rx.removed() == 1);
  CHECK(rx.added() == 0);
  CHECK(rx.parent() == w.root);
  CHECK(rx.number() == w.tree(0).record(w.root).number() + 1);
  CHECK(w.tree(0).record(ey).committer() == w.identity(2));
  CHECK(w.tree(0).record(ey).removed() == 0);
  CHECK(w.tree(0).record(w.root).committer().empty());
  w.deliver(w.tree(3).protect(ey, mls::to_bytes("hello")), 0);
  CHECK(w.tree(0).senders(ey) ==
        std::set<mls::Bytes, mls::BytesLess>{w.identity(2), w.identity(3)});
  // What side A sends after the removal waits for an epoch device 3 cannot reach.
  CHECK(w.deliver(w.tree(0).protect(ex, mls::to_bytes("without 3")), 3)[0].kind == Kind::kBuffered);
  CHECK(w.tree(3).give_up()[0].cause == dmls::Undecryptable::kEpochNeverReached);
}

TEST_CASE("heads and superseded epochs are kept as epochs are added and forgotten", "[dmls]") {
  // root -> x -> x2 and root -> y; then x2 and root forgotten: x is a head again, y stays one.
  DmlsWorld w(3);
  dmls::EpochTree& t = w.tree(1);
  t.set_now(dmlssim::sim::kSecond * 10);
  const auto x = w.tree(0).commit(w.root);
  const mls::Bytes ex = only_child(w.deliver(x.commit, 1));
  CHECK(t.heads() == std::vector<mls::Bytes>{ex});
  CHECK(t.earliest_superseded() == dmlssim::sim::kSecond * 10);
  t.set_now(dmlssim::sim::kSecond * 20);
  REQUIRE(only_child(w.deliver(x.commit, 0)) == ex);
  const auto x2 = w.tree(0).commit(ex);
  const mls::Bytes ex2 = only_child(w.deliver(x2.commit, 1));
  const auto y = w.tree(2).commit(w.root);  // (a device derives one successor per epoch)
  const mls::Bytes ey = only_child(w.deliver(y.commit, 1));
  CHECK(t.heads() == std::vector<mls::Bytes>{ex2, ey});
  // Superseded at 10 s (the root) and 20 s (x), in creation order; the root first.
  CHECK(t.superseded_by(dmlssim::sim::kSecond * 9).empty());
  CHECK(t.superseded_by(dmlssim::sim::kSecond * 10) == std::vector<mls::Bytes>{w.root});
  CHECK(t.superseded_by(dmlssim::sim::kSecond * 20) == std::vector<mls::Bytes>{w.root, ex});
  t.forget(ex2);
  CHECK(t.heads() == std::vector<mls::Bytes>{ex, ey});  // x is a head again, before y
  CHECK(t.superseded_by(dmlssim::sim::kSecond * 20) == std::vector<mls::Bytes>{w.root});
  t.forget(w.root);
  CHECK(t.heads() == std::vector<mls::Bytes>{ex, ey});
  CHECK_FALSE(t.earliest_superseded().has_value());
  // A child of y supersedes it now (30 s).
  t.set_now(dmlssim::sim::kSecond * 30);
  REQUIRE(only_child(w.deliver(y.commit, 2)) == ey);
  const auto y2 = w.tree(2).commit(ey);
  const mls::Bytes ey2 = only_child(w.deliver(y2.commit, 1));
  CHECK(t.heads() == std::vector<mls::Bytes>{ex, ey2});
  CHECK(t.earliest_superseded() == dmlssim::sim::kSecond * 30);
  CHECK(t.superseded_by(dmlssim::sim::kSecond * 30) == std::vector<mls::Bytes>{ey});
}

TEST_CASE("trees sharing a run's tables give the groups of one configuration one look-up copy",
          "[dmls]") {
  // As a room's devices: members restored from one shared configuration, each held as a tree.
  // Their groups find merge PSKs through the tables' anchor, and share the configuration that
  // carries that look-up; trees with their own tables make their own.
  mls::Drbg drbg(mls::Bytes(32, 5));
  mls::GroupConfig dmls_config;
  dmls_config.successor_init = dmls::dmls_successor_init();
  const auto [boot, shared] = dmlssim::testing::shared_bootstrap("room", 3, drbg, dmls_config);
  const auto tables = std::make_shared<dmls::TreeTables>();
  std::vector<dmls::EpochTree> trees, alone;
  for (mls::LeafIndex leaf = 0; leaf < 3; ++leaf) {
    trees.emplace_back(mls::fast_crypto(), mls::Group::restore(shared, boot, leaf, drbg.fork()),
                       tables);
    alone.emplace_back(mls::fast_crypto(), mls::Group::restore(shared, boot, leaf, drbg.fork()));
  }
  const mls::Bytes root = trees[0].root();
  const auto& first = trees[0].group(root).shared_config();
  CHECK(first != shared);
  CHECK(first->psk_lookup);
  CHECK(tables->psk_config == first);
  for (const dmls::EpochTree& t : trees)
    CHECK(t.group(root).shared_config() == first);
  CHECK(alone[0].group(root).shared_config() != alone[1].group(root).shared_config());
  CHECK(alone[0].group(root).shared_config() != first);
}

TEST_CASE("read lines name the entry and record of the epoch a device reads next", "[dmls]") {
  // What hints prefetch: the epoch last read or created (a new epoch is read next), never one
  // the tree forgot.
  DmlsWorld w;
  const auto lines_name = [&](int device, const mls::Bytes& epoch) {
    const dmls::EpochTree::ReadLines lines = w.tree(device).read_lines();
    return lines.record == &w.tree(device).record(epoch) && lines.entry != nullptr &&
           lines.entry_end > lines.entry;
  };
  CHECK(lines_name(1, w.root));
  const auto x = w.tree(0).commit(w.root);
  const mls::Bytes ex = only_child(w.deliver(x.commit, 1));
  CHECK(lines_name(1, ex));  // created: read next
  const dmls::DmlsMessage late = w.tree(2).protect(w.root, mls::to_bytes("late"));
  CHECK(w.deliver(late, 1)[0].kind == Kind::kApplication);
  CHECK(lines_name(1, w.root));  // the last read
  w.tree(1).forget(w.root);
  CHECK(w.tree(1).read_lines().entry == nullptr);
}

TEST_CASE("trees sharing their tables know each its own processed commits", "[dmls]") {
  // The run's trees keep what each commit did in one shared entry: one tree's processing is no
  // duplicate for another, and each duplicate answers what that tree's processing did.
  DmlsWorld w(4, 1, false, std::make_shared<dmls::TreeTables>());
  mls::CommitOptions remove;
  remove.by_value.push_back(mls::Proposal{mls::RemoveProposal{w.tree(3).group(w.root).own_leaf()}});
  const auto x = w.tree(0).commit(w.root, remove);
  const mls::Bytes ex = only_child(w.deliver(x.commit, 0));
  for (const int i : {1, 2}) {
    CHECK(only_child(w.deliver(x.commit, i)) == ex);  // not a duplicate of device 0's
    const auto again = w.deliver(x.commit, i);
    REQUIRE(again.size() == 1);
    CHECK(again[0].kind == Kind::kDuplicateCommit);
    CHECK(again[0].child == ex);
  }
  CHECK(w.deliver(x.commit, 3)[0].kind == Kind::kRemoved);
  const auto again = w.deliver(x.commit, 3);
  REQUIRE(again.size() == 1);
  CHECK(again[0].kind == Kind::kDuplicateCommit);
  CHECK(again[0].child.empty());  // it made no epoch for device 3
  // A commit on the new epoch, processed by one tree only, is new to the others.
  const auto y = w.tree(1).commit(ex);
  const mls::Bytes ey = only_child(w.deliver(y.commit, 1));
  CHECK(only_child(w.deliver(y.commit, 2)) == ey);
  CHECK(w.deliver(y.commit, 2)[0].kind == Kind::kDuplicateCommit);
}

TEST_CASE("every reader of a shared message notes its sender, message after message", "[dmls]") {
  // The run's trees find a read message's sender by its shared plaintext: each tree's sender
  // set must still be exactly the senders it read (and its own sends), over many messages.
  DmlsWorld w(4, 3, false, std::make_shared<dmls::TreeTables>());
  const auto x = w.tree(0).commit(w.root);
  const mls::Bytes ex = only_child(w.deliver(x.commit, 0));
  for (const int i : {1, 2, 3})
    only_child(w.deliver(x.commit, i));
  std::vector<dmls::Identities> expect(4);
  for (int k = 0; k < 24; ++k) {
    const int from = (k * 7) % 4;
    const dmls::DmlsMessage m = w.tree(from).protect(ex, mls::to_bytes("m" + std::to_string(k)));
    expect[static_cast<std::size_t>(from)].insert(w.identity(from));
    // Reader 3 reads only the messages of senders 0 and 1; the others read everything.
    for (int r = 0; r < 4; ++r) {
      if (r == from || (r == 3 && from > 1)) continue;
      const auto read = w.deliver(m, r);
      REQUIRE(read[0].kind == Kind::kApplication);
      expect[static_cast<std::size_t>(r)].insert(w.identity(from));
    }
    for (int r = 0; r < 4; ++r)
      CHECK(w.tree(r).senders(ex) == expect[static_cast<std::size_t>(r)]);
  }
  CHECK(expect[3].size() == 3);  // itself, 0 and 1
}
