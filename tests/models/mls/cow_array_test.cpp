// The copy-on-write chunked array under the ratchet tree: copies share chunks until written, a
// write copies only its own chunk, and growing after shrinking shows no stale values.
#include <catch2/catch.hpp>

#include <vector>

#include "models/mls/cow_array.hpp"

namespace mls = dmlssim::models::mls;

TEST_CASE("a copy shares chunks until one side writes", "[mls]") {
  mls::CowArray<int, 4> a;
  a.resize(10);
  for (std::size_t i = 0; i < a.size(); ++i)
    a.mutable_at(i) = static_cast<int>(i);
  mls::CowArray<int, 4> b = a;
  CHECK(&a[0] == &b[0]);
  b.mutable_at(5) = 50;
  CHECK(a[5] == 5);
  CHECK(b[5] == 50);
  CHECK(&a[4] != &b[4]);  // the written chunk was copied...
  CHECK(b[4] == 4);
  CHECK(&a[0] == &b[0]);  // ...the others still shared
  CHECK(&a[8] == &b[8]);
  b.mutable_at(6) = 60;  // its chunk is b's own now: written in place
  CHECK(a[6] == 6);
  CHECK(&b[5] + 1 == &b[6]);
}

TEST_CASE("shared_at writes through to every copy sharing the chunk", "[mls]") {
  mls::CowArray<int, 4> a;
  a.resize(4);
  const mls::CowArray<int, 4> b = a;
  b.shared_at(1) = 7;
  CHECK(a[1] == 7);
}

TEST_CASE("growing after shrinking value-initializes the regrown elements", "[mls]") {
  mls::CowArray<int, 4> a;
  a.resize(10);
  for (std::size_t i = 0; i < a.size(); ++i)
    a.mutable_at(i) = 1;
  const mls::CowArray<int, 4> kept = a;
  a.resize(5);
  CHECK(a.size() == 5);
  a.resize(12);
  for (std::size_t i = 5; i < 12; ++i)
    CHECK(a[i] == 0);
  for (std::size_t i = 0; i < 5; ++i)
    CHECK(a[i] == 1);
  for (std::size_t i = 0; i < kept.size(); ++i)
    CHECK(kept[i] == 1);  // the copy sharing the shrunk chunk kept its values
}

TEST_CASE("for_each_chunk visits every element once, in order", "[mls]") {
  mls::CowArray<int, 4> a;
  a.resize(10);
  for (std::size_t i = 0; i < a.size(); ++i)
    a.mutable_at(i) = static_cast<int>(i);
  std::vector<int> seen;
  a.for_each_chunk([&](std::size_t first, const int* elements, std::size_t n) {
    CHECK(first == seen.size());
    seen.insert(seen.end(), elements, elements + n);
  });
  CHECK(seen == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}
