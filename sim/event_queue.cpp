#include "sim/event_queue.hpp"

#include <algorithm>
#include <stdexcept>

namespace dmlssim::sim {

EventQueue::EventQueue() : EventQueue(kMaxSequence) {}

EventQueue::EventQueue(uint64_t max_sequence)
    : nodes_(kSlotMask + 1),
      slots_(kSlotMask + 1),
      max_sequence_(std::min(max_sequence, kMaxSequence)) {}

EventQueue::~EventQueue() {
  for (Slot& s : slots_) {
    if (s.ops != nullptr) call(s, Op::kDestroy);
  }
}

uint32_t EventQueue::allocate_slot() {
  if (free_head_ != UINT32_MAX) {
    uint32_t slot = free_head_;
    std::memcpy(&free_head_, slots_[slot].storage, sizeof(free_head_));
    return slot;
  }
  if (slots_.size() > kSlotMask) throw std::length_error("more than 2^26 events pending at once");
  slots_.push_back(Slot{});
  return static_cast<uint32_t>(slots_.size() - 1);
}

void EventQueue::push_free(uint32_t slot) {
  std::memcpy(slots_[slot].storage, &free_head_, sizeof(free_head_));
  free_head_ = slot;
}

void EventQueue::release_slot(uint32_t slot) {
  slots_[slot].ops = nullptr;
  ++slots_[slot].generation;
  push_free(slot);
}

uint64_t EventQueue::next_key(uint32_t slot) {
  if (sequence_ >= max_sequence_) renumber();
  return (sequence_++ << kSlotBits) | slot;
}

bool EventQueue::cancel(EventHandle h) {
  if (!is_pending(h)) return false;
  Slot& s = slots_[h.slot];
  call(s, Op::kDestroy);
  s.ops = nullptr;
  ++s.generation;  // the handle is dead; the slot is freed when its node leaves the queue
  --live_;
  ++cancelled_in_heap_;
  return true;
}

void EventQueue::insert_node(Node n) {
  if (top_is_spent_) {
    top_is_spent_ = false;
    if (nodes_.replace_top(n)) return;
    nodes_.pop();
  }
  nodes_.push(n);
}

void EventQueue::drop_cancelled_top() {
  while (cancelled_in_heap_ > 0 && !nodes_.empty()) {
    const uint32_t slot = static_cast<uint32_t>(nodes_.top().key & kSlotMask);
    if (slots_[slot].ops != nullptr) return;
    --cancelled_in_heap_;
    // The generation was already advanced by cancel(); only return the slot to the free list.
    push_free(slot);
    nodes_.pop();
  }
}

SimTime EventQueue::next_time() {
  if (cancelled_in_heap_ > 1024 && cancelled_in_heap_ > live_) compact();
  drop_cancelled_top();
  const SimTime t = SimTime::from_ns(nodes_.top().time);
  if (nodes_.loads() != prefetched_loads_) {
    // A bucket just moved into the near heap: its events run next, and their slots were written
    // long ago. Fetch them into cache now rather than one miss at a time.
    prefetched_loads_ = nodes_.loads();
    const QueueNode* n = nodes_.near_begin();
    for (std::size_t i = 0; i < nodes_.near_count(); ++i) {
      // A 28-byte slot may straddle two cache lines.
      const char* first = reinterpret_cast<const char*>(&slots_[n[i].key & kSlotMask]);
      __builtin_prefetch(first);
      __builtin_prefetch(first + sizeof(Slot) - 1);
    }
  }
  return t;
}

void EventQueue::run_next() {
  drop_cancelled_top();
  const uint32_t slot = static_cast<uint32_t>(nodes_.top().key & kSlotMask);
  // Move the callable out first so that the slot can be reused by what the event schedules.
  Slot running = slots_[slot];
  release_slot(slot);
  --live_;
  top_is_spent_ = true;
  struct Settle {  // removes the spent top if the event scheduled nothing, even if it throws
    EventQueue* q;
    ~Settle() {
      if (q->top_is_spent_) {
        q->top_is_spent_ = false;
        q->nodes_.pop();
      }
    }
  } settle{this};
  call(running, Op::kInvoke);
}

void EventQueue::compact() {
  nodes_.filter([this](const Node& n) { return slots_[n.key & kSlotMask].ops != nullptr; },
                [this](const Node& n) { push_free(static_cast<uint32_t>(n.key & kSlotMask)); });
  cancelled_in_heap_ = 0;
}

void EventQueue::renumber() {
  // Reached after 2^38 insertions: renumber pending nodes 0..n-1 in their current order. A spent
  // top (its event is running) is removed first; it must not be renumbered back in.
  if (top_is_spent_) {
    top_is_spent_ = false;
    nodes_.pop();
  }
  std::vector<Node> all = nodes_.take_all();
  std::sort(all.begin(), all.end(), [](const Node& a, const Node& b) { return a.before(b); });
  uint64_t seq = 0;
  for (Node& n : all) {
    n.key = (seq++ << kSlotBits) | (n.key & kSlotMask);
    nodes_.push(n);
  }
  sequence_ = seq;
}

}  // namespace dmlssim::sim
