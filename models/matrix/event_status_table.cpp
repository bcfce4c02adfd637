#include "models/matrix/event_status_table.hpp"

#include <algorithm>
#include <iterator>

namespace dmlssim::models::matrix {
namespace {

constexpr std::uint8_t kStatusBits = 0x7;  // the low bits: the status; 0 is unknown

}  // namespace

EventStatusTable::EventStatusTable(const EventStatusTable& other) {
  *this = other;
}

EventStatusTable& EventStatusTable::operator=(const EventStatusTable& other) {
  if (this == &other) return *this;
  pages_.clear();
  pages_.resize(other.pages_.size());
  for (std::size_t p = 0; p < pages_.size(); ++p) {
    const Page& from = other.pages_[p];
    Page& to = pages_[p];
    if (from.dense) to.dense = std::make_unique<Dense>(*from.dense);
    to.exceptions = from.exceptions;
    to.blocks = from.blocks;
    to.common = from.common;
  }
  return *this;
}

// The first exception at or after `offset` (the list is sorted by offset).
template <typename List>
auto EventStatusTable::exception_at(List& list, std::uint16_t offset) {
  return std::lower_bound(list.begin(), list.end(), offset,
                          [](const Exception& x, std::uint16_t o) { return x.offset < o; });
}

std::uint8_t EventStatusTable::settled_get(const Page& page, std::uint16_t offset) {
  const auto it = exception_at(page.exceptions, offset);
  return it != page.exceptions.end() && it->offset == offset ? it->value : page.common;
}

void EventStatusTable::set(EventIndex e, std::uint8_t value) {
  const std::size_t p = e / kPageEvents;
  if (p >= pages_.size()) {
    if (value == 0) return;  // what an unset event reads as already
    pages_.resize(p + 1);
  }
  Page& page = pages_[p];
  const auto offset = static_cast<std::uint16_t>(e % kPageEvents);
  if (page.dense) {
    std::uint8_t& slot = page.dense->values[offset];
    if (slot == value) return;
    --page.dense->counts[slot];
    ++page.dense->counts[value];
    slot = value;
    if ((value & kStatusBits) != 0 && page.dense->counts[value] >= kPageEvents - kSettleSlack) {
      try_settle(page);
    }
    return;
  }
  auto& list = page.exceptions;
  const auto it = exception_at(list, offset);
  const bool listed = it != list.end() && it->offset == offset;
  if (value == page.common) {
    if (listed) {
      const auto at = list.erase(it);
      // The block keeps its bit while a neighbour in the sorted list shares it.
      const bool shared = (at != list.end() && at->offset / 64 == offset / 64) ||
                          (at != list.begin() && std::prev(at)->offset / 64 == offset / 64);
      if (!shared) page.blocks &= ~block_bit(offset);
      // A page settled with its tail still unknown drops those exceptions as the tail fills.
      if (list.size() * 4 < list.capacity()) list.shrink_to_fit();
    }
    return;
  }
  if (listed) {
    it->value = value;
    return;
  }
  list.insert(it, Exception{offset, value});
  page.blocks |= block_bit(offset);
  if (list.size() > kMaxExceptions) make_dense(page);
}

void EventStatusTable::make_dense(Page& page) {
  auto dense = std::make_unique<Dense>();
  dense->values.fill(page.common);
  dense->counts.fill(0);
  dense->counts[page.common] = static_cast<std::uint16_t>(kPageEvents - page.exceptions.size());
  for (const Exception& x : page.exceptions) {
    dense->values[x.offset] = x.value;
    ++dense->counts[x.value];
  }
  page.dense = std::move(dense);
  page.exceptions.clear();
  page.exceptions.shrink_to_fit();
  page.blocks = 0;
}

void EventStatusTable::try_settle(Page& page) {
  const Dense& dense = *page.dense;
  const auto common = static_cast<std::uint8_t>(
      std::max_element(dense.counts.begin(), dense.counts.end()) - dense.counts.begin());
  std::vector<Exception> list;
  list.reserve(kPageEvents - dense.counts[common]);
  std::uint64_t blocks = 0;
  for (std::size_t o = 0; o < kPageEvents; ++o) {
    if (dense.values[o] != common) {
      list.push_back(Exception{static_cast<std::uint16_t>(o), dense.values[o]});
      blocks |= block_bit(static_cast<std::uint16_t>(o));
    }
  }
  page.common = common;
  page.blocks = blocks;
  page.exceptions = std::move(list);
  page.dense.reset();
}

std::size_t EventStatusTable::dense_pages() const {
  return static_cast<std::size_t>(std::count_if(pages_.begin(), pages_.end(),
                                                [](const Page& p) { return p.dense != nullptr; }));
}

std::size_t EventStatusTable::exceptions() const {
  std::size_t n = 0;
  for (const Page& p : pages_)
    n += p.exceptions.size();
  return n;
}

std::size_t EventStatusTable::heap_bytes() const {
  std::size_t bytes = pages_.capacity() * sizeof(Page);
  for (const Page& p : pages_) {
    if (p.dense) bytes += sizeof(Dense);
    bytes += p.exceptions.capacity() * sizeof(Exception);
  }
  return bytes;
}

}  // namespace dmlssim::models::matrix
