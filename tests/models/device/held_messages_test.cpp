// A device's held messages: taken oldest first by message or by epoch, the rest kept in order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <vector>

#include "models/device/held_messages.hpp"

namespace device = dmlssim::models::device;
using dmlssim::models::mls::Bytes;

namespace {
std::vector<std::uint32_t> held(const device::HeldMessages& h) {
  std::vector<std::uint32_t> out;
  h.for_each([&](std::uint32_t m) { out.push_back(m); });
  return out;
}
}  // namespace

TEST_CASE("held messages are taken oldest first, by message or by epoch, the rest kept in order",
          "[device]") {
  const Bytes a(32, 1), b(32, 2);
  device::HeldMessages h;
  CHECK(h.empty());
  for (std::uint32_t m = 0; m < 6; ++m)
    h.push(m % 2 == 0 ? a : b, m);  // a: 0 2 4, b: 1 3 5
  CHECK(h.size() == 6);
  CHECK(h.take_message(2));
  CHECK_FALSE(h.take_message(2));  // taken already
  CHECK_FALSE(h.take_message(9));  // never held
  CHECK(h.take_oldest_of(b) == 1u);
  CHECK(h.take_oldest_of(a) == 0u);
  CHECK(held(h) == std::vector<std::uint32_t>{3, 4, 5});
  CHECK(h.take_oldest_of(a) == 4u);
  CHECK_FALSE(h.take_oldest_of(a).has_value());
  h.push(a, 7);
  CHECK(held(h) == std::vector<std::uint32_t>{3, 5, 7});
  CHECK(h.take_message(3));
  CHECK(h.take_message(5));
  CHECK(h.take_message(7));
  CHECK(h.empty());
  CHECK(held(h).empty());
}

TEST_CASE("held messages released in arrival order against a plain list: same answers throughout",
          "[device]") {
  // A reference list with erase, and the held list, through a long mixed sequence.
  struct Ref {
    Bytes epoch;
    std::uint32_t message;
  };
  std::vector<Ref> ref;
  device::HeldMessages h;
  const std::vector<Bytes> epochs{Bytes(32, 1), Bytes(32, 2), Bytes(32, 3)};
  std::uint32_t next = 0, state = 12345;
  const auto roll = [&] { return state = state * 1103515245u + 12345u, (state >> 16) % 100; };
  for (int step = 0; step < 5000; ++step) {
    const std::uint32_t r = roll();
    if (r < 45) {
      const Bytes& e = epochs[roll() % 3];
      ref.push_back({e, next});
      h.push(e, next++);
    } else if (r < 80) {
      // Mostly the oldest (release order), sometimes any message, sometimes one not held.
      const std::uint32_t m = ref.empty() || r > 75 ? roll() % (next + 2)
                              : r < 70              ? ref.front().message
                                                    : ref[roll() % ref.size()].message;
      const auto it =
          std::find_if(ref.begin(), ref.end(), [&](const Ref& x) { return x.message == m; });
      const bool found = it != ref.end();
      if (found) ref.erase(it);
      REQUIRE(h.take_message(m) == found);
    } else {
      const Bytes& e = epochs[roll() % 3];
      const auto it =
          std::find_if(ref.begin(), ref.end(), [&](const Ref& x) { return x.epoch == e; });
      std::optional<std::uint32_t> want;
      if (it != ref.end()) {
        want = it->message;
        ref.erase(it);
      }
      REQUIRE(h.take_oldest_of(e) == want);
    }
    std::vector<std::uint32_t> want;
    for (const Ref& x : ref)
      want.push_back(x.message);
    REQUIRE(held(h) == want);
    REQUIRE(h.size() == ref.size());
  }
}
