// A Simulation owns one clock and one pending-event set. Many may live in one process; nothing
// here is global. Events at the same instant run in the order they were scheduled.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <utility>

#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace dmlssim::sim {

class Simulation {
 public:
  Simulation() = default;
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  SimTime now() const { return now_; }

  // Runs `fn()` after `delay` (>= 0) from now. See EventQueue for what keeps this allocation-free.
  template <class F>
  EventHandle schedule(SimTime delay, F&& fn) {
    if (delay < SimTime()) throw std::invalid_argument("Simulation::schedule: negative delay");
    return queue_.push(now_ + delay, std::forward<F>(fn));
  }
  // Runs `fn()` at absolute time `at` (>= now).
  template <class F>
  EventHandle schedule_at(SimTime at, F&& fn) {
    if (at < now_) throw std::invalid_argument("Simulation::schedule_at: time in the past");
    return queue_.push(at, std::forward<F>(fn));
  }
  // A place in the order of events for an event that may be scheduled later (EventPlace); the
  // event then runs among those of its time as if it had been scheduled now. Each place is
  // scheduled or released once.
  EventPlace take_place() { return queue_.take_place(); }
  template <class F>
  EventHandle schedule_at_place(SimTime at, EventPlace place, F&& fn) {
    if (at < now_) throw std::invalid_argument("Simulation::schedule_at_place: time in the past");
    return queue_.push_at_place(at, place, std::forward<F>(fn));
  }
  void release_place(EventPlace place) { queue_.release_place(place); }
  // Whether an event at `at` scheduled at `place` would have run by now (before the running one).
  bool would_have_run(SimTime at, EventPlace place) const {
    return queue_.would_have_run(at, place, now_);
  }
  // Returns false if the event already ran or was cancelled.
  bool cancel(EventHandle h) { return queue_.cancel(h); }
  bool is_pending(EventHandle h) const { return queue_.is_pending(h); }

  // Runs every event with time <= end in order, then leaves the clock at `end`, unless stop() was
  // called, in which case the clock stays at the time of the event that called it.
  // Returns true if it reached `end`, false if stopped.
  bool run_until(SimTime end);
  // Runs until no event is pending or stop() is called.
  void run();
  // Makes the current run_until/run return after the running event. Safe to call from an event.
  void stop() { stop_requested_ = true; }

  uint64_t events_processed() const { return events_processed_; }
  // Hints to the events that run next (EventQueue): on by default; off only to check that
  // results do not depend on them.
  void set_hints(bool on) { queue_.set_hints(on); }
  uint64_t hints_given() const { return queue_.hints_given(); }
  std::size_t events_pending() const { return queue_.size(); }

 private:
  EventQueue queue_;
  SimTime now_;
  uint64_t events_processed_ = 0;
  bool stop_requested_ = false;
  bool running_ = false;
};

}  // namespace dmlssim::sim
