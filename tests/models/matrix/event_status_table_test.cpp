#include "models/matrix/event_status_table.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

namespace mx = dmlssim::models::matrix;
using Table = mx::EventStatusTable;

TEST_CASE("an event status table reads back what was set, like a byte per event",
          "[matrix][status]") {
  // Random writes over 5 pages against a plain vector: values concentrated on one page at a time
  // (a tail filling in), with scattered rewrites, so pages turn dense and settle again.
  std::mt19937_64 rng(7);
  constexpr std::size_t kEvents = 5 * Table::kPageEvents + 100;
  std::vector<std::uint8_t> reference(kEvents, 0);
  Table table;
  bool seen_dense = false, seen_settled_with_exceptions = false;
  for (std::size_t round = 0; round < 200'000; ++round) {
    const bool scattered = rng() % 8 == 0;
    const auto e = static_cast<mx::EventIndex>(scattered ? rng() % kEvents : (round / 5) % kEvents);
    const auto value = static_cast<std::uint8_t>(scattered ? rng() % 16 : 2 + (rng() % 64 == 0));
    table.set(e, value);
    reference[e] = value;
    if (round % 997 == 0) {
      for (mx::EventIndex i = 0; i < kEvents; ++i)
        REQUIRE(table.get(i) == reference[i]);
      seen_dense = seen_dense || table.dense_pages() > 0;
      seen_settled_with_exceptions = seen_settled_with_exceptions || table.exceptions() > 0;
    }
  }
  for (mx::EventIndex i = 0; i < kEvents; ++i)
    REQUIRE(table.get(i) == reference[i]);
  CHECK(table.get(static_cast<mx::EventIndex>(kEvents + 10 * Table::kPageEvents)) == 0);
  CHECK(seen_dense);  // both forms were exercised
  CHECK(seen_settled_with_exceptions);
  // A copy is independent of the original.
  Table copy = table;
  copy.set(3, 9);
  CHECK(copy.get(3) == 9);
  CHECK(table.get(3) == reference[3]);
}

TEST_CASE("a settled room costs a few bytes per page, not a byte per event", "[matrix][status]") {
  // 1,000,000 events all accepted (value 2), one in 1,000 soft-failed (value 3), set in order as
  // a server accepts a growing room: only the tail page may stay dense.
  Table table;
  constexpr mx::EventIndex kEvents = 1'000'000;
  for (mx::EventIndex e = 0; e < kEvents; ++e)
    table.set(e, e % 1000 == 0 ? 3 : 2);
  CHECK(table.dense_pages() <= 1);
  CHECK(table.exceptions() >= kEvents / 1000 - 5);
  CHECK(table.heap_bytes() < 32 * 1024);  // a byte per event would be 1,000,000
  for (mx::EventIndex e = 0; e < kEvents; e += 37)
    REQUIRE(table.get(e) == (e % 1000 == 0 ? 3 : 2));
}

TEST_CASE("a page at the room's tail stays dense until it is nearly full", "[matrix][status]") {
  Table table;
  // Half a page accepted: more than kMaxExceptions differ from "unknown", so the page is dense,
  // and it may not settle on "unknown" (the events still to come would each be an exception).
  for (mx::EventIndex e = 0; e < Table::kPageEvents / 2; ++e)
    table.set(e, 2);
  CHECK(table.dense_pages() == 1);
  for (mx::EventIndex e = Table::kPageEvents / 2; e < Table::kPageEvents - Table::kSettleSlack; ++e)
    table.set(e, 2);
  CHECK(table.dense_pages() == 0);
  CHECK(table.exceptions() == Table::kSettleSlack);
  CHECK(table.get(Table::kPageEvents - 1) == 0);
  CHECK(table.get(0) == 2);
}
