// A fixed-chunk copy-on-write array: copies share every chunk, and writing an element copies only
// the chunk that holds it when another array still shares it. The ratchet tree uses it so that a
// new epoch's tree costs O(n / kChunk) to copy plus one chunk per node its commit changes.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

namespace dmlssim::models::mls {

template <class T, std::size_t kChunk>
class CowArray {
 public:
  std::size_t size() const { return size_; }
  const T& operator[](std::size_t i) const { return (*chunks_[i / kChunk])[i % kChunk]; }

  // The element for writing; its chunk is copied first when shared.
  T& mutable_at(std::size_t i) {
    std::shared_ptr<Chunk>& chunk = chunks_[i / kChunk];
    if (chunk.use_count() > 1) chunk = std::make_shared<Chunk>(*chunk);
    return (*chunk)[i % kChunk];
  }

  // Written through to every array sharing the chunk: only for values that are the same in all of
  // them (caches of a function of shared content).
  T& shared_at(std::size_t i) const { return (*chunks_[i / kChunk])[i % kChunk]; }

  // f(first_index, elements, count) for each chunk in order: a scan without per-element lookups.
  template <class F>
  void for_each_chunk(F&& f) const {
    for (std::size_t c = 0; c < chunks_.size(); ++c) {
      const std::size_t first = c * kChunk;
      f(first, chunks_[c]->data(), first + kChunk <= size_ ? kChunk : size_ - first);
    }
  }

  // New elements are value-initialized.
  void resize(std::size_t n) {
    const std::size_t old = size_;
    chunks_.resize((n + kChunk - 1) / kChunk);
    for (std::shared_ptr<Chunk>& chunk : chunks_) {
      if (!chunk) chunk = std::make_shared<Chunk>();
    }
    size_ = n;
    // Elements past the old end in a chunk kept from before may hold stale values.
    for (std::size_t i = old; i < n && i % kChunk != 0; ++i)
      mutable_at(i) = T{};
  }

 private:
  using Chunk = std::array<T, kChunk>;
  std::vector<std::shared_ptr<Chunk>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace dmlssim::models::mls
