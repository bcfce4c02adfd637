#include "sim/draws_ahead.hpp"

#include <utility>

namespace dmlssim::sim {

DrawsAhead::DrawsAhead(Distribution distribution, RandomStream stream)
    : distribution_(distribution), stream_(stream) {}

DrawsAhead::~DrawsAhead() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  emptied_.notify_all();
  thread_.join();
}

void DrawsAhead::refill() {
  if (!thread_.joinable()) {
    if (drawn_inline_ < kInlineDraws) {
      current_.resize(kBlock);
      for (double& v : current_)
        v = distribution_.sample(stream_);
      drawn_inline_ += kBlock;
      taken_ = 0;
      return;
    }
    for (std::size_t b = 0; b < kBlocksAhead; ++b)
      free_.emplace_back(kBlock);
    thread_ = std::thread([this] { draw_blocks(); });  // the stream is the thread's from here
  }
  std::unique_lock<std::mutex> lock(mutex_);
  free_.push_back(std::move(current_));
  emptied_.notify_one();
  filled_.wait(lock, [this] { return !full_.empty(); });
  current_ = std::move(full_.front());
  full_.pop_front();
  taken_ = 0;
}

void DrawsAhead::draw_blocks() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    emptied_.wait(lock, [this] { return stopping_ || !free_.empty(); });
    if (stopping_) return;
    std::vector<double> block = std::move(free_.back());
    free_.pop_back();
    lock.unlock();
    block.resize(kBlock);
    for (double& v : block)
      v = distribution_.sample(stream_);
    lock.lock();
    full_.push_back(std::move(block));
    filled_.notify_one();
  }
}

}  // namespace dmlssim::sim
