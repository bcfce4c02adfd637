#include "sim/event_queue.hpp"

#include <algorithm>
#include <stdexcept>

namespace dmlssim::sim {

EventQueue::EventQueue() : EventQueue(kMaxSequence) {}

EventQueue::EventQueue(uint64_t max_sequence)
    : heap_(kSlotMask + 1 + kPad), slots_(kSlotMask + 1), max_sequence_(std::min(max_sequence, kMaxSequence)) {
  for (std::size_t i = 0; i < kPad; ++i) heap_.push_back(Node{0, 0});
}

EventQueue::~EventQueue() {
  for (Slot& s : slots_) {
    if (s.ops != nullptr) s.ops(Op::kDestroy, s.storage);
  }
}

uint32_t EventQueue::allocate_slot() {
  if (free_head_ != UINT32_MAX) {
    uint32_t slot = free_head_;
    free_head_ = slots_[slot].next_free;
    return slot;
  }
  if (slots_.size() > kSlotMask) throw std::length_error("more than 2^26 events pending at once");
  slots_.push_back(Slot{});
  return static_cast<uint32_t>(slots_.size() - 1);
}

void EventQueue::release_slot(uint32_t slot) {
  Slot& s = slots_[slot];
  s.ops = nullptr;
  ++s.generation;
  s.next_free = free_head_;
  free_head_ = slot;
}

uint64_t EventQueue::next_key(uint32_t slot) {
  if (sequence_ >= max_sequence_) renumber();
  return (sequence_++ << kSlotBits) | slot;
}

bool EventQueue::cancel(EventHandle h) {
  if (!is_pending(h)) return false;
  Slot& s = slots_[h.slot];
  s.ops(Op::kDestroy, s.storage);
  s.ops = nullptr;
  ++s.generation;  // the handle is dead; the slot itself is freed when its node leaves the heap
  --live_;
  ++cancelled_in_heap_;
  return true;
}

void EventQueue::insert_node(Node n) {
  if (top_is_spent_) {
    top_is_spent_ = false;
    sift_down(0, n);
    return;
  }
  heap_.push_back(n);
  sift_up(heap_size() - 1, n);
}

void EventQueue::sift_up(std::size_t i, Node n) {
  while (i > 0) {
    std::size_t parent = (i - 1) / kArity;
    if (!n.before(node(parent))) break;
    node(i) = node(parent);
    i = parent;
  }
  node(i) = n;
}

void EventQueue::sift_down(std::size_t i, Node n) {
  const std::size_t size = heap_size();
  for (;;) {
    std::size_t first = i * kArity + 1;
    if (first >= size) break;
    std::size_t last = std::min(first + kArity, size);
    std::size_t best = first;
    for (std::size_t c = first + 1; c < last; ++c) {
      if (node(c).before(node(best))) best = c;
    }
    if (!node(best).before(n)) break;
    node(i) = node(best);
    i = best;
  }
  node(i) = n;
}

void EventQueue::pop_top() {
  Node last = heap_.back();
  heap_.pop_back();
  if (heap_size() > 0) sift_down(0, last);
}

void EventQueue::drop_cancelled_top() {
  while (cancelled_in_heap_ > 0 && heap_size() > 0) {
    uint32_t slot = static_cast<uint32_t>(node(0).key & kSlotMask);
    if (slots_[slot].ops != nullptr) return;
    --cancelled_in_heap_;
    // The generation was already advanced by cancel(); only return the slot to the free list.
    Slot& s = slots_[slot];
    s.next_free = free_head_;
    free_head_ = slot;
    pop_top();
  }
}

SimTime EventQueue::next_time() {
  if (cancelled_in_heap_ > 1024 && cancelled_in_heap_ > live_) compact();
  drop_cancelled_top();
  return SimTime::from_ns(node(0).time);
}

void EventQueue::run_next() {
  drop_cancelled_top();
  const uint32_t slot = static_cast<uint32_t>(node(0).key & kSlotMask);
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
        q->pop_top();
      }
    }
  } settle{this};
  running.ops(Op::kInvoke, running.storage);
}

void EventQueue::compact() {
  std::size_t out = 0;
  for (std::size_t i = 0; i < heap_size(); ++i) {
    const Node n = node(i);
    uint32_t slot = static_cast<uint32_t>(n.key & kSlotMask);
    if (slots_[slot].ops != nullptr) {
      node(out++) = n;
    } else {
      Slot& s = slots_[slot];
      s.next_free = free_head_;
      free_head_ = slot;
    }
  }
  heap_.resize_down(out + kPad);
  cancelled_in_heap_ = 0;
  // Rebuild bottom-up; the order of equal keys cannot matter because keys are unique.
  for (std::size_t i = heap_size(); i-- > 0;) sift_down(i, node(i));
}

void EventQueue::renumber() {
  // Reached after 2^38 insertions: renumber pending nodes 0..n-1 in their current order.
  Node* first = heap_.begin() + kPad;
  std::sort(first, heap_.end(), [](const Node& a, const Node& b) { return a.before(b); });
  uint64_t seq = 0;
  for (Node* n = first; n != heap_.end(); ++n) n->key = (seq++ << kSlotBits) | (n->key & kSlotMask);
  sequence_ = seq;  // a sorted array is a valid heap
}

}  // namespace dmlssim::sim
