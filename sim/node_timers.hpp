// Timers scoped to a node's life. A crash loses everything volatile, timers included
// (docs/faults.md): a callback set on a node runs only if the node has not crashed since it was
// set (its incarnation, counted by Reachability, is unchanged). Actors set timers through this
// instead of checking a generation counter in every callback.
//
// Two forms:
// - NodeActor::after<&Actor::method>(delay, arg): calls (actor->*method)(arg); stored in 16 bytes,
//   inside the event queue's slot, so hot paths allocate nothing;
// - schedule_for(sim, reach, node, delay, fn): any callable (boxed on the heap when larger than
//   the queue's inline storage; keep it off hot paths).
// Timers are set while the node is up.
#pragma once

#include <cstdint>
#include <utility>

#include "sim/reachability.hpp"
#include "sim/simulation.hpp"

namespace dmlssim::sim {

template <class F>
EventHandle schedule_for(Simulation& sim, const Reachability& reach, NodeId node, SimTime delay,
                         F&& fn) {
  return sim.schedule(delay, [&reach, node, incarnation = reach.incarnation(node),
                              fn = std::forward<F>(fn)]() mutable {
    if (reach.incarnation(node) == incarnation) fn();
  });
}

// The base of an actor that lives on one node (a homeserver, say): its node, the clock, and
// timers that die with the node.
class NodeActor {
 public:
  NodeActor(Simulation& sim, const Reachability& reach, NodeId node)
      : sim_(&sim), reach_(&reach), node_(node) {}

  NodeId node() const { return node_; }
  bool up() const { return reach_->is_up(node_); }
  Simulation& simulation() const { return *sim_; }
  const Reachability& reachability() const { return *reach_; }

 protected:
  // Runs (self->*Method)(arg) after `delay` unless this node crashed in between. `self` is the
  // derived actor (`this`).
  template <auto Method, class Self>
  EventHandle after(SimTime delay, Self* self, std::uint32_t arg = 0) const {
    return sim_->schedule(delay, Call<Method, Self>{self, reach_->incarnation(node_), arg});
  }
  template <auto Method, class Self>
  EventHandle at(SimTime when, Self* self, std::uint32_t arg = 0) const {
    return sim_->schedule_at(when, Call<Method, Self>{self, reach_->incarnation(node_), arg});
  }

 private:
  template <auto Method, class Self>
  struct Call {
    Self* self;
    std::uint32_t incarnation;
    std::uint32_t arg;
    void operator()() const {
      const NodeActor& actor = *self;
      if (actor.reach_->incarnation(actor.node_) != incarnation) return;
      if constexpr (std::is_invocable_v<decltype(Method), Self*, std::uint32_t>) {
        (self->*Method)(arg);
      } else {
        (self->*Method)();
      }
    }
  };

  Simulation* sim_;
  const Reachability* reach_;
  NodeId node_;
};

}  // namespace dmlssim::sim
