// The pending-event set of a Simulation: 16-byte nodes ordered by (time, insertion sequence) in a
// TieredQueue (a sorted front over a near heap over calendar buckets), plus a slab of 28-byte slots
// that hold the callables and the generations that validate handles.
//
// Memory: about 48 bytes per pending event (16 node + 28 slot, plus the buckets' partly filled
// blocks); bench/phold measures it. A callable of at most 16 bytes that is
// trivially copyable (a lambda capturing a pointer and an index, say) lives inside its slot; a
// larger one is boxed on the heap, which costs an allocation, so hot paths keep captures small.
// Cancellation is lazy: the slot is emptied at once, its heap node is dropped when it surfaces or
// when cancelled nodes outnumber live ones. bench/phold chose the structure (see bench/README.md).
//
// Hints: before an event runs, each of the next kHintsAhead pending events (the queue's front)
// whose callable has a `void hint(unsigned ahead) const` member is told how many events ahead
// it is (1: the next). Its owner can start loading what it will touch (prefetching), each
// distance one step further along a chain of pointers. Hints only read: results do not depend on
// them (an event pushed before a hinted one only makes the hint early).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/reserved_array.hpp"
#include "sim/tiered_queue.hpp"
#include "sim/time.hpp"

namespace dmlssim::sim {

// Identifies one scheduled event for cancellation. Default-constructed handles refer to nothing.
// A handle stays safe to use after its event ran or was cancelled; it then simply does nothing.
struct EventHandle {
  uint32_t slot = UINT32_MAX;
  uint32_t generation = 0;
};

// A place in the order of events, taken now for an event that may be pushed later: pushed with
// it, the event runs among the events of its time as if it had been pushed when the place was
// taken. (A message whose arrival matters only in some futures takes a place when it is sent,
// and becomes an event only if one of those futures comes.) Each place is pushed or released
// exactly once.
struct EventPlace {
  uint32_t id = UINT32_MAX;
};

class EventQueue {
 public:
  static constexpr std::size_t kInlineBytes = 16;

  EventQueue();
  // For tests: renumber pending events after `max_sequence` insertions instead of 2^38.
  explicit EventQueue(uint64_t max_sequence);
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;
  ~EventQueue();

  template <class F>
  EventHandle push(SimTime at, F&& fn) {
    return insert(at, next_sequence(), std::forward<F>(fn));
  }

  EventPlace take_place();
  // `at` and `place` must not precede the running event (see would_have_run()).
  template <class F>
  EventHandle push_at_place(SimTime at, EventPlace place, F&& fn) {
    const uint64_t sequence = place_sequence(at, place);
    free_place(place);
    return insert(at, sequence, std::forward<F>(fn));
  }
  void release_place(EventPlace place) { free_place(place); }
  // Whether an event at `at` pushed at `place` would have run by now: before the running event
  // (the one whose callable is being invoked); with none running, at or before `now` (the
  // clock, which a run leaves at its end once every event up to it ran).
  bool would_have_run(SimTime at, EventPlace place, SimTime now) const;

  // Empties the event's slot; returns false if the event already ran or was cancelled.
  bool cancel(EventHandle h);
  bool is_pending(EventHandle h) const {
    return h.slot < slots_.size() && slots_[h.slot].generation == h.generation &&
           slots_[h.slot].ops != nullptr;
  }

  bool empty() const { return live_ == 0; }
  std::size_t size() const { return live_; }
  // Time of the earliest live event; the queue must not be empty. Drops cancelled nodes on top.
  SimTime next_time();

  // Removes the earliest live event and runs it, after hinting the ones that follow. Callables
  // scheduled while it runs are inserted by replacing the old top when possible (one sift
  // instead of a pop and a push).
  void run_next();

  // How many events ahead hints reach (a callable's hint() gets 1 .. kHintsAhead).
  static constexpr unsigned kHintsAhead = 4;
  void set_hints(bool on) { hints_ = on; }
  // Hints given so far (to callables that take them).
  uint64_t hints_given() const { return hints_given_; }

 private:
  // kHint<k>: the event runs k events after the one about to run.
  enum class Op { kInvoke, kDestroy, kHint1, kHint2, kHint3, kHint4 };
  static_assert(static_cast<unsigned>(Op::kHint4) - static_cast<unsigned>(Op::kHint1) + 1 ==
                kHintsAhead);
  static_assert(TieredQueue::kFront == kHintsAhead + 1);
  // Returns, for a hint, whether the callable takes hints.
  using Ops = bool (*)(Op, void* storage);
  template <class Fn>
  static bool hint_of(const Fn& f, Op op) {
    if constexpr (requires { f.hint(1u); }) {
      f.hint(static_cast<unsigned>(op) - static_cast<unsigned>(Op::kHint1) + 1);
      return true;
    }
    return false;
  }
  // Gives the events that run next their hints.
  void hint_upcoming();

  // key = sequence << kSlotBits | slot; sequences are unique, so keys order insertion.
  using Node = QueueNode;
  // A callable, packed to 28 bytes. The inline callable is copied in and out of `storage` with
  // memcpy (it is trivially copyable), so storage needs no alignment of its own. While the slot is
  // free, storage holds the index of the next free slot.
#pragma pack(push, 4)
  struct Slot {
    Ops ops = nullptr;  // null when free or cancelled
    uint32_t generation = 0;
    unsigned char storage[kInlineBytes];
  };
#pragma pack(pop)
  static_assert(sizeof(Slot) == 28);

  static constexpr unsigned kSlotBits = 26;  // up to 67 million events pending at once
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
  static constexpr uint64_t kMaxSequence = UINT64_MAX >> kSlotBits;

  // `p` given to Ops points to a suitably aligned copy of the slot's storage.
  template <class F>
  static void emplace_callable(Slot& s, F&& fn) {
    using Fn = std::decay_t<F>;
    if constexpr (sizeof(Fn) <= kInlineBytes && alignof(Fn) <= 8 &&
                  std::is_trivially_copyable_v<Fn>) {
      alignas(8) unsigned char buffer[kInlineBytes] = {};
      ::new (static_cast<void*>(buffer)) Fn(std::forward<F>(fn));
      std::memcpy(s.storage, buffer, kInlineBytes);
      s.ops = [](Op op, void* p) {
        Fn& f = *std::launder(static_cast<Fn*>(p));
        if (op == Op::kInvoke) f();
        return op != Op::kInvoke && op != Op::kDestroy && hint_of(f, op);
      };
    } else {
      Fn* boxed = new Fn(std::forward<F>(fn));
      std::memcpy(s.storage, &boxed, sizeof(boxed));
      s.ops = [](Op op, void* p) {
        Fn* f;
        std::memcpy(&f, p, sizeof(f));
        if (op != Op::kInvoke && op != Op::kDestroy) return hint_of(*f, op);
        std::unique_ptr<Fn> owner(f);
        if (op == Op::kInvoke) (*f)();
        return false;
      };
    }
  }

  uint32_t allocate_slot();
  void release_slot(uint32_t slot);
  void push_free(uint32_t slot);
  static bool call(Slot& s, Op op) {
    alignas(8) unsigned char buffer[kInlineBytes];
    std::memcpy(buffer, s.storage, kInlineBytes);
    return s.ops(op, buffer);
  }
  template <class F>
  EventHandle insert(SimTime at, uint64_t sequence, F&& fn) {
    uint32_t slot = allocate_slot();
    emplace_callable(slots_[slot], std::forward<F>(fn));
    insert_node(Node{at.ns(), (sequence << kSlotBits) | slot});
    ++live_;
    return EventHandle{slot, slots_[slot].generation};
  }
  uint64_t next_sequence();
  void free_place(EventPlace place);
  // The sequence of a place taken and not yet used; throws when an event there would precede
  // the running one.
  uint64_t place_sequence(SimTime at, EventPlace place) const;
  bool precedes_running(SimTime at, uint64_t sequence) const {
    return Node{at.ns(), sequence << kSlotBits}.before(
        Node{running_time_, running_key_ & ~kSlotMask});
  }
  void insert_node(Node n);
  void drop_cancelled_top();
  void compact();
  void renumber();

  TieredQueue nodes_;
  ReservedArray<Slot> slots_;
  uint32_t free_head_ = UINT32_MAX;
  uint64_t sequence_ = 0;
  uint64_t max_sequence_ = kMaxSequence;
  uint64_t prefetched_loads_ = 0;
  std::size_t live_ = 0;
  std::size_t cancelled_in_heap_ = 0;
  bool top_is_spent_ = false;  // the top node's event is running; the node awaits replacement
  int64_t running_time_ = 0;   // the time and key of the event being run (while one is)
  uint64_t running_key_ = 0;
  bool running_ = false;
  bool hints_ = true;
  uint64_t hints_given_ = 0;
  // The sequence of each place taken and not yet pushed or released (kFreePlace: a free id).
  static constexpr uint64_t kFreePlace = UINT64_MAX;
  std::vector<uint64_t> places_;
  std::vector<uint32_t> free_places_;
};

}  // namespace dmlssim::sim
