// Lists held by many states alike: the copies of a state share a list until one of them changes
// it (own_list copies it first), states whose lists came out equal settle on one of them
// (SettledLists keeps the newest few as candidates), and holders of one list that make the same
// change share its result (ListChanges). Single-threaded: a run's states only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
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

// Changes made to shared lists, remembered so that holders of one list making the same change
// share the result instead of each copying the list (the members of an epoch reading the same
// messages in the same order hold one list at each step). A change is named by a key that, with
// the list it is made to, determines the result. Direct-mapped by the list's address and the key;
// an entry holds both lists — so an address names one list, and neither is changed in place
// (change_list changes only lists no one else holds) — until another entry takes its slot, or
// the holder of a result no one else took changes it (release_sole forgets the entry first).
template <class T>
class ListChanges {
 public:
  // `slots`: a power of two.
  explicit ListChanges(std::size_t slots) : slots_(slots), results_(slots, kNoSlot) {
    if (slots == 0 || (slots & (slots - 1)) != 0)
      throw std::invalid_argument("ListChanges: slots must be a power of two");
  }
  // The result of change `key` to `from` made by another holder of it, or null.
  const SharedList<T>* find(const SharedList<T>& from, std::uint64_t key) const {
    const Entry& e = slots_[slot(from.get(), key)];
    return e.made && e.key == key && e.from == from ? &e.to : nullptr;
  }
  void put(const SharedList<T>& from, std::uint64_t key, const SharedList<T>& to) {
    const std::size_t s = slot(from.get(), key);
    Entry& e = slots_[s];
    if (e.made) {
      std::uint32_t& old = results_[result_slot(e.to.get())];
      if (old == s) old = kNoSlot;
    }
    e = Entry{from, to, key, true};
    results_[result_slot(to.get())] = static_cast<std::uint32_t>(s);
  }
  // Forgets the change whose result is `list` when the memory and the caller are the only
  // holders of it, so that the caller may change it in place: a result no other holder took (a
  // device reading messages in an order of its own) is then not copied at each change. Returns
  // whether it did.
  bool release_sole(const SharedList<T>& list) {
    if (list.use_count() != 2) return false;
    std::uint32_t& r = results_[result_slot(list.get())];
    if (r == kNoSlot || slots_[r].to != list) return false;
    slots_[r] = Entry{};
    r = kNoSlot;
    return true;
  }

 private:
  struct Entry {
    SharedList<T> from, to;  // null `from`: the change made to an empty list
    std::uint64_t key = 0;
    bool made = false;
  };
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  std::size_t slot(const void* from, std::uint64_t key) const {
    const std::uint64_t h = (reinterpret_cast<std::uintptr_t>(from) ^ key) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> 32) & (slots_.size() - 1);
  }
  std::size_t result_slot(const void* to) const {
    const std::uint64_t h = reinterpret_cast<std::uintptr_t>(to) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> 32) & (slots_.size() - 1);
  }
  std::vector<Entry> slots_;
  // The slot whose entry holds the result at each result's address (direct-mapped; kNoSlot:
  // none known). Only a hint: checked against the entry.
  std::vector<std::uint32_t> results_;
};

// Makes change `key` to the holder's `list` (`change` applies it to a vector): in place when no one
// else holds the list (the memory's hold on a result no one else took is dropped first), else by
// taking the result another holder of the same list got from the same
// change, else on a copy, remembered in `changes`.
template <class T, class Change>
void change_list(SharedList<T>& list, ListChanges<T>& changes, std::uint64_t key, Change&& change) {
  if (list && (list.use_count() == 1 || changes.release_sole(list))) return change(*list);
  if (const SharedList<T>* made = changes.find(list, key)) {
    list = *made;
    return;
  }
  SharedList<T> next =
      list ? std::make_shared<std::vector<T>>(*list) : std::make_shared<std::vector<T>>();
  change(*next);
  changes.put(list, key, next);
  list = std::move(next);
}

}  // namespace dmlssim::models::mls
