// A device's application messages held by its epoch tree for an epoch not reached yet, in
// arrival order, as the room tracks them (EncryptedRoom::apply_tree_events): each is taken off
// when the tree releases it, read or unreadable. The tree releases an epoch's messages in their
// arrival order, so a taken entry is nearly always the oldest still held: entries are marked
// taken and the taken prefix dropped when it is half the list (a heal releasing n messages costs
// O(n), where erasing each from the front of a vector cost O(n^2) moves).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::device {

class HeldMessages {
 public:
  void push(const mls::Bytes& epoch, std::uint32_t message) {
    entries_.push_back(Entry{epoch, message});
    ++held_;
  }
  bool empty() const { return held_ == 0; }
  std::size_t size() const { return held_; }
  // Takes the oldest held entry of `message`; false if it is not held.
  bool take_message(std::uint32_t message) {
    return take_first([&](const Entry& e) { return e.message == message; }).has_value();
  }
  // Takes the oldest held entry for `epoch`; its message, if any.
  std::optional<std::uint32_t> take_oldest_of(const mls::Bytes& epoch) {
    return take_first([&](const Entry& e) { return mls::BytesEqual()(e.epoch, epoch); });
  }
  // Calls fn(message) for each held entry, oldest first.
  template <class Fn>
  void for_each(Fn fn) const {
    for (std::size_t i = first_; i < entries_.size(); ++i) {
      if (entries_[i].message != kTaken) fn(entries_[i].message);
    }
  }

 private:
  static constexpr std::uint32_t kTaken = UINT32_MAX;
  struct Entry {
    mls::Bytes epoch;
    std::uint32_t message = 0;
  };
  template <class Matches>
  std::optional<std::uint32_t> take_first(Matches matches) {
    for (std::size_t i = first_; i < entries_.size(); ++i) {
      Entry& e = entries_[i];
      if (e.message == kTaken || !matches(e)) continue;
      const std::uint32_t message = e.message;
      e.message = kTaken;
      --held_;
      while (first_ < entries_.size() && entries_[first_].message == kTaken)
        ++first_;
      if (held_ == 0) {
        entries_.clear();
        first_ = 0;
      } else if (2 * first_ >= entries_.size()) {
        entries_.erase(entries_.begin(), entries_.begin() + static_cast<long>(first_));
        first_ = 0;
      }
      return message;
    }
    return std::nullopt;
  }
  std::vector<Entry> entries_;
  std::size_t first_ = 0;  // entries before it are all taken
  std::size_t held_ = 0;
};

}  // namespace dmlssim::models::device
