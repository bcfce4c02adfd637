// Lists held by many states alike: the copies of a state share a list until one of them changes
// it (own_list copies it first), and states whose lists came out equal settle on one of them
// (SettledLists keeps the newest few as candidates). Single-threaded: a run's states only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace dmlssim::models::mls {

template <class T>
using SharedList = std::shared_ptr<std::vector<T>>;

// `list`, for a change: created when null, copied first when another holder shares it.
template <class T>
std::vector<T>& own_list(SharedList<T>& list) {
  if (!list) {
    list = std::make_shared<std::vector<T>>();
  } else if (list.use_count() > 1) {
    list = std::make_shared<std::vector<T>>(*list);
  }
  return *list;
}

template <class T>
class SettledLists {
 public:
  static constexpr std::size_t kKept = 4;  // the newest lists settled on

  // A list equal to `mine` that another holder settled on, or `mine` (kept for the next ones).
  SharedList<T> settle(SharedList<T> mine) {
    for (const SharedList<T>& other : lists_) {
      if (*other == *mine) return other;
    }
    mine->shrink_to_fit();
    if (lists_.size() == kKept) lists_.erase(lists_.begin());
    lists_.push_back(mine);
    return mine;
  }

 private:
  std::vector<SharedList<T>> lists_;
};

}  // namespace dmlssim::models::mls
