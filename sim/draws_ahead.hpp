// The draws of one distribution from one random stream, computed ahead on a thread of their own.
// A stream that only ever feeds one distribution gives a fixed sequence of values: which value
// comes k-th does not depend on when it is asked for, so it can be drawn early, elsewhere. The
// client hop draws one latency per sync batch and per poll (tens of millions at 1,000 servers:
// a polar normal and an exp each, some 3 % of a run); here they cost a load.
//
// next() returns exactly what distribution.sample(stream) would have, in the same order. The first
// kInlineDraws values are drawn by the caller (small simulations start no thread); after that a
// thread fills blocks of kBlock values, at most kBlocksAhead ahead, and the caller waits only if
// it catches up. The thread owns the stream from then on.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
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
    if (taken_ == current_.size()) refill();
    return current_[taken_++];
  }
  // Whether the thread has started (after kInlineDraws values).
  bool ahead() const { return thread_.joinable(); }

 private:
  void refill();
  void draw_blocks();

  Distribution distribution_;
  RandomStream stream_;  // the caller's until the thread starts, then the thread's
  std::vector<double> current_;
  std::size_t taken_ = 0;
  std::uint64_t drawn_inline_ = 0;

  std::mutex mutex_;
  std::condition_variable filled_, emptied_;
  std::deque<std::vector<double>> full_;   // drawn, in order, not yet taken
  std::vector<std::vector<double>> free_;  // taken blocks given back to fill again
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dmlssim::sim
