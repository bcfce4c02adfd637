// The draws of one distribution from one random stream, computed ahead on a thread of their own.
// A stream that only ever feeds one distribution gives a fixed sequence of values: which value
// comes k-th does not depend on when it is asked for, so it can be drawn early, elsewhere. The
// client hop draws one latency per sync batch and per poll (tens of millions at 1,000 servers:
// a polar normal and an exp each, some 3 % of a run); here they cost a load.
//
// next() returns exactly what distribution.sample(stream) would have, in the same order. The first
// kInlineDraws values are drawn by the caller (small simulations start no thread); after that a
// thread fills blocks of kBlock values, at most kBlocksAhead ahead, and the caller waits only if
// it catches up. The thread owns the stream from then on. Starting it allocates (the thread and
// its blocks); nothing else does after the first block.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/random.hpp"

namespace dmlssim::sim {

class DrawsAhead {
 public:
  static constexpr std::size_t kBlock = 4096;
  static constexpr std::size_t kBlocksAhead = 4;
  static constexpr std::uint64_t kInlineDraws = 16 * kBlock;

  DrawsAhead(Distribution distribution, RandomStream stream);
  ~DrawsAhead();  // stops the thread (values drawn and not taken are dropped)
  DrawsAhead(const DrawsAhead&) = delete;
  DrawsAhead& operator=(const DrawsAhead&) = delete;

  double next() {
    if (taken_ == kBlock) refill();
    return block_[taken_++];
  }
  // Whether the thread has started (after kInlineDraws values).
  bool ahead() const { return thread_.joinable(); }

 private:
  static constexpr std::size_t kRing = kBlocksAhead + 1;
  void refill();
  void draw_blocks();

  Distribution distribution_;
  RandomStream stream_;            // the caller's until the thread starts, then the thread's
  const double* block_ = nullptr;  // the block next() reads
  std::size_t taken_ = kBlock;
  std::uint64_t drawn_inline_ = 0;
  std::vector<double> inline_;

  // Blocks in a ring, filled in turn: the caller reads block `reading_` (mod kRing), the thread
  // fills block `written_` while written_ < reading_ + kRing. Nothing is allocated once running.
  std::vector<std::vector<double>> ring_;
  std::mutex mutex_;
  std::condition_variable filled_, emptied_;
  std::uint64_t reading_ = 0, written_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dmlssim::sim
