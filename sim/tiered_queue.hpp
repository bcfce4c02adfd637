// The ordered set of pending-event nodes behind EventQueue: a short sorted front over a two-tier
// calendar.
//   front:    the kFront earliest nodes, sorted (what runs next, readable without a heap walk);
//   near:     a 4-ary heap of the nodes with time < horizon (small, so it stays in cache);
//   buckets:  unsorted blocks of nodes, bucket i covering [base + i*width, base + (i+1)*width);
//   overflow: unsorted nodes at or beyond the last bucket.
// When `near` runs dry the next bucket is heapified into it; when the buckets run out they are
// rebuilt from the overflow, with a width chosen from the overflow's time distribution so that a
// bucket holds about kTargetPerBucket nodes. Every node in `near` precedes every node elsewhere,
// so the minimum is always exact: order is (time, key) whatever the tiers do. The front holds
// min(kFront, size()) nodes, each before every node of the tiers.
// Memory: 16 bytes per node plus at most one partly filled 256-byte block per bucket.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "sim/reserved_array.hpp"

namespace dmlssim::sim {

struct QueueNode {
  int64_t time;
  uint64_t key;
  bool before(const QueueNode& o) const { return time < o.time || (time == o.time && key < o.key); }
};
static_assert(sizeof(QueueNode) == 16);

class TieredQueue {
 public:
  static constexpr std::size_t kTargetPerBucket = 64;
  // The minimum and the nodes after it that after_top_begin() names.
  static constexpr std::size_t kFront = 5;

  explicit TieredQueue(std::size_t max_nodes);

  std::size_t size() const { return front_size_ + tier_size(); }
  bool empty() const { return size() == 0; }

  void push(const QueueNode& n);
  // The minimum node; throws std::logic_error on an empty queue.
  const QueueNode& top() const {
    if (front_size_ == 0) throw std::logic_error("TieredQueue: top() of an empty queue");
    return front_[0];
  }
  // Removes the minimum; the queue must not be empty. May move a bucket into the near heap.
  void pop();
  // pop() then push(n), in one step where it can (a heap sift instead of two).
  void replace_top(const QueueNode& n);
  // Keeps the nodes for which keep(node) is true; the rest are passed to drop(node).
  template <class Keep, class Drop>
  void filter(Keep keep, Drop drop);
  // Counts bucket loads; after a load the near heap holds the loaded nodes (but the one the front
  // took), which lets a caller prefetch what those nodes refer to before they run.
  uint64_t loads() const { return loads_; }
  const QueueNode* near_begin() const { return &near_[kPad]; }
  std::size_t near_count() const { return near_size(); }
  // The nodes that follow the minimum, in order: up to kFront - 1 of them, from `begin`.
  // (What runs after the top, unless events are pushed before them.)
  const QueueNode* after_top_begin() const { return front_ + 1; }
  std::size_t after_top_count() const { return front_size_ == 0 ? 0 : front_size_ - 1; }
  // All nodes, in no particular order; the queue becomes empty.
  std::vector<QueueNode> take_all();

 private:
  static constexpr std::size_t kBlockNodes = 15;
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Block {
    QueueNode nodes[kBlockNodes];
    uint32_t count;
    uint32_t next;
  };
  static_assert(sizeof(Block) == 248);
  struct List {
    uint32_t head = kNone;
    uint32_t tail = kNone;
  };

  // The front: sorted insertion; a node it no longer has room for goes to the tiers.
  void front_insert(const QueueNode& n);
  // Moves the tiers' minimum to the end of the front, if the tiers hold any.
  void front_refill();
  void front_drop_first();

  // The tiers below the front.
  std::size_t tier_size() const { return near_size() + far_size_; }
  const QueueNode& tier_top();
  void tier_pop();
  void tier_push(const QueueNode& n);

  // The near heap: logical index i at near_[i + kPad] so that siblings share a cache line.
  static constexpr std::size_t kArity = 4;
  static constexpr std::size_t kPad = kArity - 1;
  QueueNode& near(std::size_t i) { return near_[i + kPad]; }
  const QueueNode& near(std::size_t i) const { return near_[i + kPad]; }
  std::size_t near_size() const { return near_.size() - kPad; }
  void near_push(const QueueNode& n);
  void sift_up(std::size_t i, QueueNode n);
  void sift_down(std::size_t i, QueueNode n);
  void heapify_near();

  void append(List& list, const QueueNode& n);
  void release_list(List& list);
  void advance();
  void rebuild();
  void reset_tiers();

  QueueNode front_[kFront];
  std::size_t front_size_ = 0;
  ReservedArray<QueueNode> near_;
  ReservedArray<Block> blocks_;
  uint32_t free_block_ = kNone;
  std::vector<List> buckets_;
  List overflow_;
  std::size_t far_size_ = 0;       // nodes in buckets and overflow
  std::size_t overflow_size_ = 0;  // nodes in overflow
  std::size_t next_bucket_ = 0;    // buckets before it have been moved to near
  int64_t base_ = 0;
  int64_t width_ = 1;
  int64_t horizon_ = INT64_MIN;  // nodes with time < horizon_ belong in near
  int64_t far_end_ = INT64_MIN;  // nodes with time >= far_end_ belong in overflow
  uint64_t loads_ = 0;
  std::vector<int64_t> sample_;  // scratch for rebuild()
};

template <class Keep, class Drop>
void TieredQueue::filter(Keep keep, Drop drop) {
  std::vector<QueueNode> all = take_all();
  for (const QueueNode& n : all) {
    if (keep(n)) {
      append(overflow_, n);
      ++overflow_size_;
      ++far_size_;
    } else {
      drop(n);
    }
  }
  while (front_size_ < kFront && tier_size() > 0)
    front_refill();
}

}  // namespace dmlssim::sim
