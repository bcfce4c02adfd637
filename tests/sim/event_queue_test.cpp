#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/random.hpp"

using namespace dmlssim::sim;

namespace {

// Drives an EventQueue and an independent reference (a std::map keyed by (time, insertion
// number)) with the same random pushes, cancels and pops, and checks they run the same events.
// `delay(rng)` draws how far after the current time each new event lands.
template <class Delay>
void compare_with_reference(EventQueue& q, uint64_t seed, int operations, Delay delay) {
  RandomStream rng(seed, 0, "event-queue-test");
  std::map<std::pair<int64_t, uint64_t>, int> reference;
  std::vector<std::pair<EventHandle, std::pair<int64_t, uint64_t>>> handles;
  std::vector<int> ran;
  uint64_t inserted = 0;
  int64_t now = 0;
  for (int op = 0; op < operations; ++op) {
    const double u = rng.uniform01();
    if (u < 0.55 || reference.empty()) {
      const int64_t at = now + delay(rng);
      const int id = static_cast<int>(inserted);
      const auto key = std::make_pair(at, inserted++);
      handles.emplace_back(q.push(SimTime::from_ns(at), [&ran, id] { ran.push_back(id); }), key);
      reference[key] = id;
    } else if (u < 0.7) {
      const auto& [h, key] = handles[rng.uniform_index(handles.size())];
      const bool expected = reference.erase(key) == 1;
      REQUIRE(q.cancel(h) == expected);
    } else {
      REQUIRE(q.next_time().ns() == reference.begin()->first.first);
      now = reference.begin()->first.first;
      q.run_next();
      REQUIRE(ran.back() == reference.begin()->second);
      reference.erase(reference.begin());
    }
    REQUIRE(q.size() == reference.size());
  }
  while (!reference.empty()) {
    q.run_next();
    REQUIRE(ran.back() == reference.begin()->second);
    reference.erase(reference.begin());
  }
  REQUIRE(q.empty());
}

}  // namespace

TEST_CASE("events run in (time, insertion) order, checked against a reference", "[event_queue]") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    EventQueue q;
    compare_with_reference(
        q, seed, 20000, [](RandomStream& r) { return static_cast<int64_t>(r.uniform_index(50)); });
  }
}

TEST_CASE("order holds across calendar buckets, rebuilds and far-future outliers",
          "[event_queue]") {
  // A mixture: dense near events, a spread middle, and rare events far in the future, so that
  // nodes move between the near heap, the buckets and the overflow many times.
  auto mixture = [](RandomStream& r) -> int64_t {
    const double u = r.uniform01();
    if (u < 0.6) return static_cast<int64_t>(r.uniform_index(100));
    if (u < 0.95) return static_cast<int64_t>(r.exponential(1e6));
    return static_cast<int64_t>(r.uniform_index(uint64_t{1} << 50));
  };
  for (uint64_t seed = 10; seed <= 13; ++seed) {
    EventQueue q;
    compare_with_reference(q, seed, 100000, mixture);
  }
}

TEST_CASE("massive ties at one instant keep insertion order", "[event_queue]") {
  EventQueue q;
  compare_with_reference(
      q, 77, 50000, [](RandomStream& r) { return r.bernoulli(0.02) ? int64_t{1} : int64_t{0}; });
}

TEST_CASE("renumbering sequences keeps the order of pending events", "[event_queue]") {
  EventQueue q(/*max_sequence=*/100);  // renumbers every hundred insertions or so
  compare_with_reference(
      q, 42, 20000, [](RandomStream& r) { return static_cast<int64_t>(r.uniform_index(1000)); });
}

TEST_CASE("cancelled events never run — handles of finished events are inert", "[event_queue]") {
  EventQueue q;
  int runs = 0;
  EventHandle a = q.push(SimTime::from_ns(5), [&] { ++runs; });
  EventHandle b = q.push(SimTime::from_ns(6), [&] { runs += 10; });
  CHECK(q.is_pending(a));
  CHECK(q.cancel(a));
  CHECK_FALSE(q.cancel(a));
  CHECK_FALSE(q.is_pending(a));
  q.run_next();
  CHECK(runs == 10);
  CHECK_FALSE(q.cancel(b));
  CHECK_FALSE(q.cancel(EventHandle{}));
  // A reused slot must not be cancellable through an old handle.
  EventHandle c = q.push(SimTime::from_ns(7), [&] { runs += 100; });
  CHECK_FALSE(q.cancel(b));
  CHECK(q.is_pending(c));
  q.run_next();
  CHECK(runs == 110);
}

TEST_CASE("many cancellations are compacted away", "[event_queue]") {
  EventQueue q;
  std::vector<EventHandle> hs;
  int runs = 0;
  for (int i = 0; i < 10000; ++i)
    hs.push_back(q.push(SimTime::from_ns(i), [&] { ++runs; }));
  for (int i = 0; i < 10000; i += 2)
    REQUIRE(q.cancel(hs[static_cast<std::size_t>(i)]));
  for (int i = 1; i < 10000; i += 2) {
    REQUIRE(q.next_time() == SimTime::from_ns(i));
    q.run_next();
  }
  CHECK(runs == 5000);
  CHECK(q.empty());
}

TEST_CASE("large and non-trivial callables are owned and destroyed exactly once", "[event_queue]") {
  auto token = std::make_shared<int>(0);
  {
    EventQueue q;
    std::vector<double> big(100, 1.0);
    q.push(SimTime::from_ns(1), [token, big] { *token += static_cast<int>(big.size()); });
    EventHandle h = q.push(SimTime::from_ns(2), [token] { *token += 1000; });
    q.push(SimTime::from_ns(3), [token] { *token += 7; });  // never run: destroyed with the queue
    CHECK(token.use_count() == 4);
    q.cancel(h);
    CHECK(token.use_count() == 3);
    q.run_next();
    CHECK(*token == 100);
    CHECK(token.use_count() == 2);
  }
  CHECK(token.use_count() == 1);
}

TEST_CASE("an event may schedule at its own time and cancel others", "[event_queue]") {
  EventQueue q;
  std::vector<int> order;
  EventHandle later;
  q.push(SimTime::from_ns(1), [&] {
    order.push_back(1);
    q.push(SimTime::from_ns(1), [&] { order.push_back(2); });
    q.cancel(later);
  });
  later = q.push(SimTime::from_ns(2), [&] { order.push_back(99); });
  q.push(SimTime::from_ns(1), [&] { order.push_back(3); });
  while (!q.empty())
    q.run_next();
  CHECK(order == std::vector<int>{1, 3, 2});
}

TEST_CASE("compaction across tiers keeps the survivors in order", "[event_queue]") {
  EventQueue q;
  RandomStream rng(5, 0, "compaction");
  std::vector<std::pair<int64_t, int>> expected;
  std::vector<EventHandle> handles;
  std::vector<int> ran;
  for (int i = 0; i < 20000; ++i) {
    const auto at = static_cast<int64_t>(rng.exponential(1e9));
    handles.push_back(q.push(SimTime::from_ns(at), [&ran, i] { ran.push_back(i); }));
    expected.emplace_back(at, i);
  }
  q.next_time();  // distribute into the tiers
  std::vector<std::pair<int64_t, int>> survivors;
  for (int i = 0; i < 20000; ++i) {
    if (i % 10 == 3) {
      survivors.push_back(expected[static_cast<std::size_t>(i)]);
    } else {
      REQUIRE(q.cancel(handles[static_cast<std::size_t>(i)]));
    }
  }
  std::stable_sort(survivors.begin(), survivors.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CHECK(q.size() == survivors.size());
  while (!q.empty()) {
    q.next_time();
    q.run_next();
  }
  REQUIRE(ran.size() == survivors.size());
  for (std::size_t i = 0; i < ran.size(); ++i)
    REQUIRE(ran[i] == survivors[i].second);
}

namespace {

// Like compare_with_reference, with places: a place taken gets the next insertion number and a
// time, and is later pushed (when its time is still ahead) or released. The reference orders the
// pushed event by the number it took with the place.
void compare_places_with_reference(EventQueue& q, uint64_t seed, int operations) {
  RandomStream rng(seed, 0, "event-queue-places-test");
  std::map<std::pair<int64_t, uint64_t>, int> reference;
  struct Taken {
    EventPlace place;
    std::pair<int64_t, uint64_t> key;
  };
  std::vector<Taken> taken;
  std::vector<int> ran;
  uint64_t inserted = 0;
  int next_id = 0;
  int64_t now = 0;
  auto add = [&](std::pair<int64_t, uint64_t> key, auto push) {
    const int id = next_id++;
    push([&ran, id] { ran.push_back(id); });
    reference[key] = id;
  };
  for (int op = 0; op < operations; ++op) {
    const double u = rng.uniform01();
    const int64_t at = now + static_cast<int64_t>(rng.uniform_index(20));
    if (u < 0.35 || reference.empty()) {
      const auto key = std::make_pair(at, inserted++);
      add(key, [&](auto fn) { q.push(SimTime::from_ns(at), fn); });
    } else if (u < 0.55) {
      taken.push_back({q.take_place(), std::make_pair(at, inserted++)});
    } else if (u < 0.75 && !taken.empty()) {
      const std::size_t i = rng.uniform_index(taken.size());
      const Taken t = taken[i];
      taken.erase(taken.begin() + static_cast<std::ptrdiff_t>(i));
      // Between events the queue answers by time: at or before the clock has run.
      REQUIRE(q.would_have_run(SimTime::from_ns(t.key.first), t.place, SimTime::from_ns(now)) ==
              (t.key.first <= now));
      if (t.key.first > now) {
        add(t.key, [&](auto fn) { q.push_at_place(SimTime::from_ns(t.key.first), t.place, fn); });
      } else {
        q.release_place(t.place);
      }
    } else {
      now = reference.begin()->first.first;
      q.run_next();
      REQUIRE(ran.back() == reference.begin()->second);
      reference.erase(reference.begin());
    }
    REQUIRE(q.size() == reference.size());
  }
  for (const Taken& t : taken)
    q.release_place(t.place);
  while (!reference.empty()) {
    q.run_next();
    REQUIRE(ran.back() == reference.begin()->second);
    reference.erase(reference.begin());
  }
}

}  // namespace

TEST_CASE("an event pushed at a place runs where it would have run when the place was taken",
          "[event_queue]") {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    EventQueue q;
    compare_places_with_reference(q, seed, 20000);
  }
  EventQueue small(/*max_sequence=*/50);  // places renumbered with the pending events
  compare_places_with_reference(small, 9, 20000);
}

TEST_CASE("would_have_run compares with the running event, ties by place", "[event_queue]") {
  EventQueue q;
  const EventPlace before = q.take_place();  // taken before the event at 10 was pushed
  std::vector<bool> answers;
  EventPlace after;
  q.push(SimTime::from_ns(10), [&] {
    answers.push_back(q.would_have_run(SimTime::from_ns(10), before, SimTime::from_ns(10)));
    answers.push_back(q.would_have_run(SimTime::from_ns(10), after, SimTime::from_ns(10)));
    answers.push_back(q.would_have_run(SimTime::from_ns(9), after, SimTime::from_ns(10)));
    answers.push_back(q.would_have_run(SimTime::from_ns(11), before, SimTime::from_ns(10)));
    // Pushing a place that would have run already is an error; a later one runs after this.
    CHECK_THROWS_AS(q.push_at_place(SimTime::from_ns(10), before, [] {}), std::logic_error);
    q.push_at_place(SimTime::from_ns(10), after, [&] { answers.push_back(true); });
  });
  after = q.take_place();
  q.run_next();
  q.run_next();
  CHECK(answers == std::vector<bool>{true, false, true, false, true});
  q.release_place(before);
  CHECK_THROWS_AS(q.release_place(before), std::logic_error);
  CHECK_THROWS_AS(q.release_place(after), std::logic_error);  // pushed already
  CHECK(q.empty());
}

namespace {
// An event that logs the hints it gets: (its id, how many events ahead).
struct Hinted {
  std::vector<std::pair<int, unsigned>>* log;
  int id;
  void operator()() const { log->push_back({id, 0}); }
  void hint(unsigned ahead) const { log->push_back({id, ahead}); }
};
}  // namespace

TEST_CASE("the events that run next hear how far ahead they are, before the running one runs",
          "[event_queue]") {
  // All at one instant (insertion order), so that they sit in the near heap together: hints
  // reach only the near heap's nodes (a calendar bucket's worth at a time).
  EventQueue q;
  std::vector<std::pair<int, unsigned>> log;
  const SimTime t = SimTime::from_ns(5);
  q.push(t, [&] { log.push_back({-1, 0}); });  // takes no hints
  std::vector<EventHandle> handles;
  for (int id = 1; id <= 7; ++id)
    handles.push_back(q.push(t, Hinted{&log, id}));
  q.run_next();
  using Log = std::vector<std::pair<int, unsigned>>;
  CHECK(log == Log{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {-1, 0}});
  CHECK(q.hints_given() == 4);
  log.clear();
  q.run_next();  // event 1: 2..5 hinted, then it runs
  CHECK(log == Log{{2, 1}, {3, 2}, {4, 3}, {5, 4}, {1, 0}});
  // A cancelled event is not hinted; the ones after it move up (its node, still in the heap
  // until it surfaces, takes one of the places looked at).
  CHECK(q.cancel(handles[3]));  // event 4
  log.clear();
  q.run_next();
  CHECK(log == Log{{3, 1}, {5, 2}, {6, 3}, {2, 0}});
  // Hints off: nothing but the run.
  q.set_hints(false);
  log.clear();
  q.run_next();
  CHECK(log == Log{{3, 0}});
  CHECK(q.hints_given() == 11);
}

TEST_CASE("a boxed callable that takes hints stays owned by its slot until it runs",
          "[event_queue]") {
  auto token = std::make_shared<int>(0);
  std::vector<int> hints;
  struct Boxed {
    std::shared_ptr<int> token;
    std::vector<double> payload;  // not trivially copyable: boxed on the heap
    std::vector<int>* hints;
    void operator()() const { *token += static_cast<int>(payload.size()); }
    void hint(unsigned ahead) const { hints->push_back(static_cast<int>(ahead)); }
  };
  {
    EventQueue q;
    const SimTime t = SimTime::from_ns(1);
    q.push(t, [] {});
    q.push(t, Boxed{token, std::vector<double>(7, 0.0), &hints});
    q.push(t, Boxed{token, std::vector<double>(5, 0.0), &hints});
    q.run_next();
    CHECK(hints == std::vector<int>{1, 2});
    CHECK(token.use_count() == 3);  // hinting neither ran nor freed them
    q.run_next();
    CHECK(*token == 7);
    CHECK(token.use_count() == 2);
  }
  CHECK(token.use_count() == 1);  // the last one, never run, destroyed with the queue
  CHECK(hints == std::vector<int>{1, 2, 1});
}

TEST_CASE("hints change neither the order nor the times of events", "[event_queue]") {
  // The same random model (every event schedules one or two more) with and without hints; its
  // events take hints and log them, which must not move anything.
  const auto run = [](bool hints) {
    EventQueue q;
    q.set_hints(hints);
    RandomStream rng(11, 0, "hints");
    std::vector<std::pair<int, unsigned>> log;
    std::vector<std::pair<int64_t, int>> order;
    int next_id = 0;
    std::function<void(int64_t)> schedule = [&](int64_t now) {
      const int id = next_id++;
      const int64_t at = now + static_cast<int64_t>(rng.uniform01() * 1000);
      q.push(SimTime::from_ns(at), [&, id, at] {
        order.emplace_back(at, id);
        if (next_id < 20000) {
          schedule(at);
          if (rng.uniform01() < 0.5) schedule(at);
        }
      });
      if (rng.uniform01() < 0.3) q.push(SimTime::from_ns(at), Hinted{&log, id});
    };
    for (int i = 0; i < 50; ++i)
      schedule(0);
    while (!q.empty())
      q.run_next();
    return std::make_pair(order, q.hints_given());
  };
  const auto [with, given] = run(true);
  const auto [without, none] = run(false);
  CHECK(with == without);
  CHECK(with.size() >= 20000);
  CHECK(given > 10000);
  CHECK(none == 0);
}
