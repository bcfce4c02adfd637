// The reads ledger: one outcome per (message, expected reader), reads win over everything, reads
// by devices that are not expected readers are unauthorized, the sender is never a reader.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "models/device/read_ledger.hpp"

namespace device = dmlssim::models::device;
using device::ReadOutcome;
using device::UnreadableCause;
using dmlssim::sim::SimTime;

TEST_CASE("ledger: each expected pair has one outcome — reads win — delays from the send",
          "[device][ledger]") {
  device::ReadLedger ledger;
  // Devices 0..4 at send; 3 is not expected (its user left); device 1 sends.
  const std::uint32_t m =
      ledger.add_message({7, 1, SimTime::from_seconds(10)}, {true, true, true, false, true});
  CHECK_FALSE(ledger.expected(m, 1));  // the sender
  CHECK_FALSE(ledger.expected(m, 3));
  CHECK_FALSE(ledger.expected(m, 5));  // created after the send
  CHECK(ledger.expected(m, 0));
  CHECK(ledger.outcome(m, 0) == ReadOutcome::kNotDelivered);
  ledger.delivered(m, 0);
  CHECK(ledger.outcome(m, 0) == ReadOutcome::kWaiting);
  ledger.unreadable(m, 0, UnreadableCause::kEpochNeverReached);
  CHECK(ledger.outcome(m, 0) == ReadOutcome::kUnreadable);
  CHECK(ledger.cause(m, 0) == UnreadableCause::kEpochNeverReached);
  ledger.read(m, 0, SimTime::from_seconds(12.5));  // the epoch came after all
  CHECK(ledger.outcome(m, 0) == ReadOutcome::kRead);
  CHECK(ledger.read_delay_ms(m, 0) == 2500);
  ledger.unreadable(m, 0, UnreadableCause::kKeyConsumed);  // a replay later: still read
  CHECK(ledger.outcome(m, 0) == ReadOutcome::kRead);
  ledger.read(m, 0, SimTime::from_seconds(99));  // the first read counts
  CHECK(ledger.read_delay_ms(m, 0) == 2500);
  ledger.delivered(m, 2);
  ledger.unreadable(m, 2, UnreadableCause::kEpochDeleted);
  ledger.read(m, 3, SimTime::from_seconds(11));  // not expected: unauthorized
  ledger.read(m, 1, SimTime::from_seconds(11));  // the sender: nothing
  REQUIRE(ledger.unauthorized().size() == 1);
  CHECK(ledger.unauthorized()[0].reader == 3);
  CHECK(ledger.unauthorized()[0].at == SimTime::from_seconds(11));
  CHECK(ledger.outcome(m, 3) == ReadOutcome::kNotDelivered);

  const device::ReadLedger::Totals t = ledger.totals();
  CHECK(t.pairs == 3);  // devices 0, 2, 4
  CHECK(t.by_outcome[static_cast<int>(ReadOutcome::kRead)] == 1);
  CHECK(t.by_outcome[static_cast<int>(ReadOutcome::kUnreadable)] == 1);
  CHECK(t.by_outcome[static_cast<int>(ReadOutcome::kNotDelivered)] == 1);
  CHECK(t.by_cause[static_cast<int>(UnreadableCause::kEpochDeleted)] == 1);
  CHECK(t.delays_ms.entries() == std::vector<std::pair<std::uint32_t, std::uint64_t>>{{2500, 1}});
  CHECK(t.delay_quantile_ms(0.5) == 2500);
  CHECK_THROWS_AS(ledger.cause(m, 4), std::logic_error);
  CHECK_THROWS_AS(ledger.read_delay_ms(m, 2), std::logic_error);
}

TEST_CASE("ledger: delay quantiles from the histogram equal the nearest rank of the sorted delays",
          "[device][ledger]") {
  // Devices 1..40 read one message each at uneven delays, several at the same one.
  device::ReadLedger ledger;
  std::vector<bool> expected(41, true);
  std::vector<std::uint32_t> delays_ms;
  for (int k = 0; k < 3; ++k) {
    const std::uint32_t m = ledger.add_message(
        {static_cast<std::uint32_t>(k), 0, SimTime::from_seconds(100 * k)}, expected);
    for (device::DeviceIndex d = 1; d <= 40; ++d) {
      const std::uint32_t delay = (d * 37 + static_cast<std::uint32_t>(k) * 11) % 23 * 125;
      ledger.delivered(m, d);
      ledger.read(m, d, SimTime::from_seconds(100 * k) + SimTime::from_ns(delay * 1000000LL));
      delays_ms.push_back(delay);
    }
  }
  std::sort(delays_ms.begin(), delays_ms.end());
  const device::ReadLedger::Totals t = ledger.totals();
  REQUIRE(t.reads() == delays_ms.size());
  for (const double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0}) {
    const auto rank =
        static_cast<std::size_t>(std::ceil(q * static_cast<double>(delays_ms.size())));
    CHECK(t.delay_quantile_ms(q) == delays_ms[rank == 0 ? 0 : rank - 1]);
  }
  CHECK_THROWS_AS(device::ReadLedger().totals().delay_quantile_ms(0.5), std::logic_error);
}

TEST_CASE("ledger: the delay histogram counts long delays past its dense part, in order",
          "[device][ledger]") {
  device::DelayHistogram h;
  const std::uint32_t dense_end = device::DelayHistogram::kDenseMs;
  for (const std::uint32_t ms : {dense_end + 5, 7u, dense_end - 1, dense_end, 7u, dense_end + 5})
    h.add(ms);
  CHECK(h.entries() == std::vector<std::pair<std::uint32_t, std::uint64_t>>{
                           {7, 2}, {dense_end - 1, 1}, {dense_end, 1}, {dense_end + 5, 2}});
  CHECK(h.count(7) == 2);
  CHECK(h.count(8) == 0);
  CHECK(h.count(dense_end + 5) == 2);
  CHECK(h.count(dense_end + 6) == 0);
  CHECK(device::DelayHistogram().entries().empty());
}
