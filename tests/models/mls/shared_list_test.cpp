// Lists shared by many holders: a change shared by the holders of one list that make it, a list
// no one else holds changed in place, and every holder's list equal to its own reference copy
// through random changes, evictions of remembered changes included.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

#include "models/mls/shared_list.hpp"

namespace mls = dmlssim::models::mls;

namespace {

using List = mls::SharedList<int>;

void add(std::vector<int>& list, int v) {
  list.insert(std::upper_bound(list.begin(), list.end(), v), v);
}

void change(List& list, mls::ListChanges<int>& changes, int v) {
  mls::change_list(list, changes, static_cast<std::uint64_t>(v),
                   [v](std::vector<int>& l) { add(l, v); });
}

}  // namespace

TEST_CASE("holders of one list that make the same change share the result", "[mls]") {
  mls::ListChanges<int> changes(16);
  List a, b, c;  // three holders of the empty list
  change(a, changes, 5);
  change(b, changes, 5);
  change(c, changes, 7);
  REQUIRE(a);
  CHECK(a == b);  // one list
  CHECK(*a == std::vector<int>{5});
  CHECK(a != c);
  CHECK(*c == std::vector<int>{7});
  change(a, changes, 9);
  change(b, changes, 9);
  CHECK(a == b);
  CHECK(*b == (std::vector<int>{5, 9}));
}

TEST_CASE("a list only its holder holds changes in place, a remembered one never", "[mls]") {
  mls::ListChanges<int> changes(16);
  List mine = std::make_shared<std::vector<int>>(std::vector<int>{1, 2});
  const std::vector<int>* at = mine.get();
  change(mine, changes, 3);
  CHECK(mine.get() == at);  // no copy
  CHECK(*mine == (std::vector<int>{1, 2, 3}));

  // Shared with another holder: the change goes to a copy, which the memory holds too.
  List other = mine;
  change(mine, changes, 4);
  CHECK(mine.get() != at);
  CHECK(*other == (std::vector<int>{1, 2, 3}));
  // `mine` is now the remembered result of (other's list, 4), held by the memory and `mine`
  // alone: a further change forgets that result first and is made in place, so `other`, making
  // change 4 next, gets {1, 2, 3, 4} and not the list changed since.
  const std::vector<int>* copy_at = mine.get();
  change(mine, changes, 8);
  CHECK(mine.get() == copy_at);
  CHECK(*mine == (std::vector<int>{1, 2, 3, 4, 8}));
  change(other, changes, 4);
  CHECK(*other == (std::vector<int>{1, 2, 3, 4}));
  CHECK(other != mine);
  // A remembered result another holder took is changed on a copy: the taker keeps it as it was.
  List third = std::make_shared<std::vector<int>>(std::vector<int>{1, 2, 3});
  change(third, changes, 4);  // other's old list was {1, 2, 3} too, but another list: no share
  List fourth = other;        // takes other's result
  const std::vector<int>* shared_at = other.get();
  change(other, changes, 9);
  CHECK(other.get() != shared_at);
  CHECK(*other == (std::vector<int>{1, 2, 3, 4, 9}));
  CHECK(*fourth == (std::vector<int>{1, 2, 3, 4}));
  CHECK(*third == (std::vector<int>{1, 2, 3, 4}));
}

TEST_CASE("a holder reading in an order of its own changes its list in place after one copy",
          "[mls]") {
  // Two holders of one list make different changes: each gets a copy once, then keeps changing
  // it in place (the memory forgets the results no one else took).
  mls::ListChanges<int> changes(64);
  List a = std::make_shared<std::vector<int>>(std::vector<int>{0});
  List b = a;
  change(a, changes, 1);
  change(b, changes, 2);
  const std::vector<int>* a_at = a.get();
  const std::vector<int>* b_at = b.get();
  for (int v = 3; v < 40; v += 2) {
    change(a, changes, v);
    change(b, changes, v + 1);
  }
  CHECK(a.get() == a_at);
  CHECK(b.get() == b_at);
  CHECK(a.use_count() == 1);
  CHECK(a->size() == 21);
  CHECK(b->size() == 21);
}

TEST_CASE("a memory of list changes has a power-of-two size", "[mls]") {
  CHECK_THROWS_AS(mls::ListChanges<int>(0), std::invalid_argument);
  CHECK_THROWS_AS(mls::ListChanges<int>(12), std::invalid_argument);
  CHECK_NOTHROW(mls::ListChanges<int>(1));
}

TEST_CASE("shared lists through random changes equal their holders' own copies", "[mls]") {
  // Few slots: remembered changes are evicted often, and holders move in lock-step groups (the
  // members of an epoch reading the same messages) or alone.
  mls::ListChanges<int> changes(4);
  constexpr int kHolders = 24;
  std::vector<List> shared(kHolders);
  std::vector<std::vector<int>> reference(kHolders);
  std::mt19937 random(20261207);
  std::uniform_int_distribution<int> holder(0, kHolders - 1), value(0, 40), group(1, 6);
  for (int step = 0; step < 4000; ++step) {
    const int first = holder(random);
    const int v = value(random);
    const int size = group(random);
    for (int k = 0; k < size; ++k) {
      const int h = (first + k) % kHolders;
      if (std::binary_search(reference[h].begin(), reference[h].end(), v)) continue;
      change(shared[h], changes, v);
      add(reference[h], v);
    }
    if (step % 200 == 0) {  // now and then, a holder takes another's list (a copied state)
      const int from = holder(random), to = holder(random);
      shared[to] = shared[from];
      reference[to] = reference[from];
    }
    for (int h = 0; h < kHolders; ++h) {
      const std::vector<int> empty;
      REQUIRE((shared[h] ? *shared[h] : empty) == reference[h]);
    }
  }
}
