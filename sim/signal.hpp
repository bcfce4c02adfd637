// A signal with many subscribers, in the style of SimGrid's xbt::signal: actors declare what they
// announce (a state change, an admitted event, a destination going down as the actor itself
// believes it), and strategies, metrics and trackers subscribe side by side. Subscribers are
// called in the order they connected; a signal with none costs one branch to emit.
//
// Subscribers must not connect to or disconnect from the signal they are being called by.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace dmlssim::sim {

template <class... Args>
class Signal {
 public:
  using Slot = std::function<void(Args...)>;
  // A subscription's handle, for disconnect().
  using Connection = std::size_t;

  Connection connect(Slot slot) {
    if (count_ == 0) {
      first_ = std::move(slot);
    } else {
      rest_.push_back(std::move(slot));
    }
    return count_++;
  }
  // The subscriber is no longer called; other handles stay valid.
  void disconnect(Connection c) {
    if (c >= count_) throw std::out_of_range("Signal::disconnect: no such connection");
    (c == 0 ? first_ : rest_[c - 1]) = nullptr;
  }

  void operator()(Args... args) const {
    if (first_) first_(args...);
    for (const Slot& slot : rest_) {
      if (slot) slot(args...);
    }
  }
  bool empty() const {
    if (first_) return false;
    for (const Slot& slot : rest_) {
      if (slot) return false;
    }
    return true;
  }

 private:
  // The first subscriber is held inline: most signals (one per device, say) have one, and
  // emitting them then reads no other memory.
  Slot first_;
  std::vector<Slot> rest_;
  std::size_t count_ = 0;
};

}  // namespace dmlssim::sim
