// What one server knows of each event of the room, in memory that does not grow with servers x
// events. Each event has a 4-bit value (its status and whether an accepted event cites it as a
// prev event). Events are grouped in pages of kPageEvents; a page is either
// - settled: one common value for the page plus a short sorted list of the events that differ
//   (a page never written is settled on "unknown, not cited" with no exceptions), or
// - dense: a byte per event, while the page is in flux (the tail of the room, a gap being
//   filled).
// A settled page turns dense when it collects more than kMaxExceptions exceptions; a dense page
// settles again once all but kSettleSlack of its events share a value that is not "unknown" (so a
// page at the room's growing tail stays dense until it is nearly full, and does not flip back and
// forth). A server in a room of a million events keeps ~245 settled pages: a few kB, where a byte
// per event was 1 MB (10 GB for 10,000 servers).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "models/matrix/event.hpp"

namespace dmlssim::models::matrix {

class EventStatusTable {
 public:
  static constexpr std::size_t kPageEvents = 4096;
  static constexpr std::size_t kMaxExceptions = 128;
  static constexpr std::size_t kSettleSlack = 32;

  EventStatusTable() = default;
  EventStatusTable(const EventStatusTable& other);
  EventStatusTable& operator=(const EventStatusTable& other);
  EventStatusTable(EventStatusTable&&) noexcept = default;
  EventStatusTable& operator=(EventStatusTable&&) noexcept = default;

  // The value of event `e` (0 for an event never set).
  std::uint8_t get(EventIndex e) const {
    const std::size_t p = e / kPageEvents;
    if (p >= pages_.size()) return 0;
    const Page& page = pages_[p];
    const auto offset = static_cast<std::uint16_t>(e % kPageEvents);
    if (page.dense) return page.dense->values[offset];
    if ((page.blocks & block_bit(offset)) == 0) return page.common;
    return settled_get(page, offset);
  }
  // Sets the value of event `e` (< 16).
  void set(EventIndex e, std::uint8_t value);

  // Pages held dense now, and exceptions held by settled pages (for tests and benchmarks).
  std::size_t dense_pages() const;
  std::size_t exceptions() const;
  // Bytes this table holds on the heap (approximate: allocations as requested).
  std::size_t heap_bytes() const;

 private:
  struct Exception {
    std::uint16_t offset;
    std::uint8_t value;
  };
  struct Dense {
    std::array<std::uint8_t, kPageEvents> values;
    std::array<std::uint16_t, 16> counts;  // events of the page per value
  };
  struct Page {
    std::unique_ptr<Dense> dense;       // set while the page is dense
    std::vector<Exception> exceptions;  // settled: sorted by offset, values != common
    // Settled: bit b set when events [64b, 64b + 64) hold an exception (most look-ups stop here).
    std::uint64_t blocks = 0;
    std::uint8_t common = 0;  // settled: the value of every other event
  };
  template <typename List>
  static auto exception_at(List& list, std::uint16_t offset);
  static std::uint8_t settled_get(const Page& page, std::uint16_t offset);
  static std::uint64_t block_bit(std::uint16_t offset) { return std::uint64_t{1} << (offset / 64); }
  static void make_dense(Page& page);
  static void try_settle(Page& page);

  std::vector<Page> pages_;
};

}  // namespace dmlssim::models::matrix
