#include "sim/tiered_queue.hpp"

#include <algorithm>
#include <new>
#include <stdexcept>

namespace dmlssim::sim {

TieredQueue::TieredQueue(std::size_t max_nodes)
    : near_(max_nodes + kPad), blocks_(max_nodes / kBlockNodes + (std::size_t{1} << 22)) {
  for (std::size_t i = 0; i < kPad; ++i)
    near_.push_back(QueueNode{0, 0});
}

void TieredQueue::near_push(const QueueNode& n) {
  near_.push_back(n);
  sift_up(near_size() - 1, n);
}

void TieredQueue::sift_up(std::size_t i, QueueNode n) {
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!n.before(near(parent))) break;
    near(i) = near(parent);
    i = parent;
  }
  near(i) = n;
}

void TieredQueue::sift_down(std::size_t i, QueueNode n) {
  const std::size_t size = near_size();
  for (;;) {
    const std::size_t first = i * kArity + 1;
    if (first >= size) break;
    const std::size_t last = std::min(first + kArity, size);
    std::size_t best = first;
    for (std::size_t c = first + 1; c < last; ++c) {
      if (near(c).before(near(best))) best = c;
    }
    if (!near(best).before(n)) break;
    near(i) = near(best);
    i = best;
  }
  near(i) = n;
}

void TieredQueue::heapify_near() {
  for (std::size_t i = near_size(); i-- > 0;)
    sift_down(i, near(i));
}

void TieredQueue::append(List& list, const QueueNode& n) {
  if (list.tail == kNone || blocks_[list.tail].count == kBlockNodes) {
    uint32_t b;
    if (free_block_ != kNone) {
      b = free_block_;
      free_block_ = blocks_[b].next;
    } else {
      Block fresh;
      fresh.count = 0;
      fresh.next = kNone;
      blocks_.push_back(fresh);
      b = static_cast<uint32_t>(blocks_.size() - 1);
    }
    blocks_[b].count = 0;
    blocks_[b].next = kNone;
    if (list.tail == kNone) {
      list.head = b;
    } else {
      blocks_[list.tail].next = b;
    }
    list.tail = b;
  }
  Block& tail = blocks_[list.tail];
  tail.nodes[tail.count++] = n;
}

void TieredQueue::release_list(List& list) {
  if (list.head != kNone) {
    blocks_[list.tail].next = free_block_;
    free_block_ = list.head;
  }
  list = List{};
}

void TieredQueue::push(const QueueNode& n) {
  if (front_size_ < kFront || n.before(front_[kFront - 1])) {
    front_insert(n);
    return;
  }
  tier_push(n);
}

void TieredQueue::pop() {
  front_drop_first();
  front_refill();
}

void TieredQueue::replace_top(const QueueNode& n) {
  front_drop_first();
  // The front has room for one: n, unless the tiers' minimum precedes it.
  if (tier_size() == 0 || n.before(front_[front_size_ - 1])) {
    front_insert(n);
    return;
  }
  const QueueNode& m = tier_top();
  if (n.before(m)) {
    front_[front_size_++] = n;
    return;
  }
  front_[front_size_++] = m;
  if (n.time < horizon_) {
    sift_down(0, n);  // the heap's minimum replaced by n
  } else {
    tier_pop();
    tier_push(n);
  }
}

void TieredQueue::front_insert(const QueueNode& n) {
  if (front_size_ == kFront) tier_push(front_[--front_size_]);
  std::size_t i = front_size_++;
  for (; i > 0 && n.before(front_[i - 1]); --i)
    front_[i] = front_[i - 1];
  front_[i] = n;
}

void TieredQueue::front_refill() {
  if (tier_size() == 0) return;
  front_[front_size_++] = tier_top();
  tier_pop();
}

void TieredQueue::front_drop_first() {
  --front_size_;
  for (std::size_t i = 0; i < front_size_; ++i)
    front_[i] = front_[i + 1];
}

void TieredQueue::tier_push(const QueueNode& n) {
  if (n.time < horizon_) {
    near_push(n);
    return;
  }
  ++far_size_;
  if (n.time < far_end_) {
    append(buckets_[static_cast<std::size_t>((n.time - base_) / width_)], n);
  } else {
    append(overflow_, n);
    ++overflow_size_;
  }
}

const QueueNode& TieredQueue::tier_top() {
  while (near_size() == 0)
    advance();
  return near(0);
}

void TieredQueue::tier_pop() {
  const QueueNode last = near_.back();
  near_.pop_back();
  if (near_size() > 0) sift_down(0, last);
}

void TieredQueue::advance() {
  if (far_size_ == 0)
    throw std::logic_error("TieredQueue: advance() with no node below the near heap");
  if (next_bucket_ >= buckets_.size()) {
    rebuild();
    return;
  }
  List& bucket = buckets_[next_bucket_];
  for (uint32_t b = bucket.head; b != kNone; b = blocks_[b].next) {
    for (uint32_t i = 0; i < blocks_[b].count; ++i)
      near_.push_back(blocks_[b].nodes[i]);
    far_size_ -= blocks_[b].count;
  }
  release_list(bucket);
  ++next_bucket_;
  horizon_ = base_ + static_cast<int64_t>(next_bucket_) * width_;
  heapify_near();
  ++loads_;
}

void TieredQueue::rebuild() {
  // Everything pending is in the overflow now. Choose a width such that the buckets up to the
  // median time hold about kTargetPerBucket nodes each; the buckets cover twice that span.
  std::vector<int64_t>& sample = sample_;  // reused: a rebuild allocates nothing in steady state
  sample.clear();
  int64_t t_min = INT64_MAX;
  const std::size_t stride = std::max<std::size_t>(1, overflow_size_ / 512);
  std::size_t index = 0;
  for (uint32_t b = overflow_.head; b != kNone; b = blocks_[b].next) {
    for (uint32_t i = 0; i < blocks_[b].count; ++i, ++index) {
      const int64_t t = blocks_[b].nodes[i].time;
      t_min = std::min(t_min, t);
      if (index % stride == 0) sample.push_back(t);
    }
  }
  std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(sample.size() / 2),
                   sample.end());
  const int64_t median = sample[sample.size() / 2];
  const std::size_t half = std::max<std::size_t>(1, overflow_size_ / 2);
  const std::size_t buckets_to_median = std::max<std::size_t>(1, half / kTargetPerBucket);
  width_ = std::max<int64_t>(1, (median - t_min) / static_cast<int64_t>(buckets_to_median) + 1);
  const std::size_t bucket_count =
      std::min<std::size_t>(2 * buckets_to_median + 1, std::size_t{1} << 22);
  base_ = t_min;
  // far_end_ = base_ + bucket_count * width_, clamped against overflow.
  const auto count = static_cast<int64_t>(bucket_count);
  far_end_ = width_ > (INT64_MAX - base_) / count ? INT64_MAX : base_ + count * width_;
  horizon_ = base_;
  next_bucket_ = 0;
  buckets_.assign(bucket_count, List{});

  List old = overflow_;
  overflow_ = List{};
  overflow_size_ = 0;
  far_size_ = 0;
  // Free each old block as soon as it is read, so that redistribution reuses it.
  for (uint32_t b = old.head; b != kNone;) {
    const uint32_t next = blocks_[b].next;
    const Block block = blocks_[b];
    blocks_[b].next = free_block_;
    free_block_ = b;
    for (uint32_t i = 0; i < block.count; ++i)
      tier_push(block.nodes[i]);
    b = next;
  }
}

std::vector<QueueNode> TieredQueue::take_all() {
  std::vector<QueueNode> all;
  all.reserve(size());
  all.insert(all.end(), front_, front_ + front_size_);
  front_size_ = 0;
  for (std::size_t i = 0; i < near_size(); ++i)
    all.push_back(near(i));
  near_.resize_down(kPad);
  for (List& list : buckets_) {
    for (uint32_t b = list.head; b != kNone; b = blocks_[b].next) {
      all.insert(all.end(), blocks_[b].nodes, blocks_[b].nodes + blocks_[b].count);
    }
    release_list(list);
  }
  for (uint32_t b = overflow_.head; b != kNone; b = blocks_[b].next) {
    all.insert(all.end(), blocks_[b].nodes, blocks_[b].nodes + blocks_[b].count);
  }
  release_list(overflow_);
  reset_tiers();
  return all;
}

void TieredQueue::reset_tiers() {
  buckets_.clear();
  next_bucket_ = 0;
  far_size_ = 0;
  overflow_size_ = 0;
  horizon_ = INT64_MIN;
  far_end_ = INT64_MIN;
}

}  // namespace dmlssim::sim
