#include "sim/event_queue.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/prefetch.hpp"

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

uint64_t EventQueue::next_sequence() {
  if (sequence_ >= max_sequence_) renumber();
  return sequence_++;
}

EventPlace EventQueue::take_place() {
  const uint64_t sequence = next_sequence();
  if (!free_places_.empty()) {
    const uint32_t id = free_places_.back();
    free_places_.pop_back();
    places_[id] = sequence;
    return EventPlace{id};
  }
  places_.push_back(sequence);
  return EventPlace{static_cast<uint32_t>(places_.size() - 1)};
}

void EventQueue::free_place(EventPlace place) {
  if (places_.at(place.id) == kFreePlace)
    throw std::logic_error("EventQueue: a place pushed or released twice");
  places_[place.id] = kFreePlace;
  free_places_.push_back(place.id);
}

uint64_t EventQueue::place_sequence(SimTime at, EventPlace place) const {
  if (place.id >= places_.size() || places_[place.id] == kFreePlace)
    throw std::logic_error("EventQueue: a place pushed or released already, or never taken");
  if (running_ && precedes_running(at, places_[place.id]))
    throw std::logic_error("EventQueue: an event pushed at a place before the running event");
  return places_[place.id];
}

bool EventQueue::would_have_run(SimTime at, EventPlace place, SimTime now) const {
  return running_ ? precedes_running(at, places_.at(place.id)) : at <= now;
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
    nodes_.replace_top(n);
    return;
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
      prefetch_bytes(&slots_[n[i].key & kSlotMask], sizeof(Slot));  // (may straddle two lines)
    }
  }
  return t;
}

void EventQueue::run_next() {
  drop_cancelled_top();
  running_time_ = nodes_.top().time;
  running_key_ = nodes_.top().key;
  const uint32_t slot = static_cast<uint32_t>(running_key_ & kSlotMask);
  // Move the callable out first so that the slot can be reused by what the event schedules.
  Slot running = slots_[slot];
  release_slot(slot);
  --live_;
  top_is_spent_ = true;
  running_ = true;
  struct Settle {  // removes the spent top if the event scheduled nothing, even if it throws
    EventQueue* q;
    ~Settle() {
      q->running_ = false;
      if (q->top_is_spent_) {
        q->top_is_spent_ = false;
        q->nodes_.pop();
      }
    }
  } settle{this};
  hint_upcoming();
  call(running, Op::kInvoke);
}

void EventQueue::hint_upcoming() {
  if (!hints_) return;
  const QueueNode* next = nodes_.after_top_begin();
  const std::size_t n = std::min<std::size_t>(nodes_.after_top_count(), kHintsAhead);
  unsigned ahead = 0;  // among live events (a cancelled node is skipped)
  for (std::size_t k = 0; k < n; ++k) {
    Slot& s = slots_[next[k].key & kSlotMask];
    if (s.ops == nullptr) continue;
    if (call(s, static_cast<Op>(static_cast<unsigned>(Op::kHint1) + ahead++))) ++hints_given_;
  }
}

void EventQueue::compact() {
  nodes_.filter([this](const Node& n) { return slots_[n.key & kSlotMask].ops != nullptr; },
                [this](const Node& n) { push_free(static_cast<uint32_t>(n.key & kSlotMask)); });
  cancelled_in_heap_ = 0;
}

void EventQueue::renumber() {
  // Reached after 2^38 insertions: renumber the pending nodes, the places taken and the running
  // event 0..n-1 in the order of their sequences (which is all that orders them among events of
  // one time). A spent top (its event is running) is removed first; it must not be renumbered
  // back in.
  if (top_is_spent_) {
    top_is_spent_ = false;
    nodes_.pop();
  }
  std::vector<Node> all = nodes_.take_all();
  // Who holds each sequence: a node (its index in `all`), a place, or the running event.
  enum class Holder : uint8_t { kNode, kPlace, kRunning };
  struct Entry {
    uint64_t sequence;
    Holder holder;
    std::size_t index;
  };
  std::vector<Entry> entries;
  entries.reserve(all.size() + places_.size() + 1);
  for (std::size_t i = 0; i < all.size(); ++i)
    entries.push_back({all[i].key >> kSlotBits, Holder::kNode, i});
  for (std::size_t i = 0; i < places_.size(); ++i) {
    if (places_[i] != kFreePlace) entries.push_back({places_[i], Holder::kPlace, i});
  }
  if (running_) entries.push_back({running_key_ >> kSlotBits, Holder::kRunning, 0});
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.sequence < b.sequence; });
  uint64_t seq = 0;
  for (const Entry& e : entries) {
    switch (e.holder) {
      case Holder::kNode:
        all[e.index].key = (seq << kSlotBits) | (all[e.index].key & kSlotMask);
        break;
      case Holder::kPlace:
        places_[e.index] = seq;
        break;
      case Holder::kRunning:
        running_key_ = (seq << kSlotBits) | (running_key_ & kSlotMask);
        break;
    }
    ++seq;
  }
  for (const Node& n : all)
    nodes_.push(n);
  sequence_ = seq;
}

}  // namespace dmlssim::sim
