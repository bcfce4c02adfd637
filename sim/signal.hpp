// A signal with many subscribers, in the style of SimGrid's xbt::signal: actors declare what they
// announce (a state change, an admitted event, a destination going down as the actor itself
// believes it), and strategies, metrics and trackers subscribe side by side. Subscribers are
// called in the order they connected; a signal with none costs one branch to emit.
//
// Subscribers must not connect to or disconnect from the signal they are being called by.
#pragma once

#include <cstddef>
#include <functional>
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
    slots_.push_back(std::move(slot));
    return slots_.size() - 1;
  }
  // The subscriber is no longer called; other handles stay valid.
  void disconnect(Connection c) { slots_.at(c) = nullptr; }

  void operator()(Args... args) const {
    for (const Slot& slot : slots_) {
      if (slot) slot(args...);
    }
  }
  bool empty() const {
    for (const Slot& slot : slots_) {
      if (slot) return false;
    }
    return true;
  }

 private:
  std::vector<Slot> slots_;
};

}  // namespace dmlssim::sim
