// The epoch cache's opened application messages: found only by the same epoch secret and every
// byte of the message, whether among the last few (compared in place) or further back.
#include <catch2/catch.hpp>
#include <memory>

#include "models/mls/epoch_cache.hpp"

using namespace dmlssim::models::mls;

namespace {

PrivateMessage message(std::uint8_t n) {
  PrivateMessage m;
  m.group_id = Bytes{1, 2, 3};
  m.epoch = 7;
  m.encrypted_sender_data = Bytes(20, n);
  m.ciphertext = Bytes(120, static_cast<std::uint8_t>(n + 1));
  return m;
}

}  // namespace

TEST_CASE(
    "epoch cache: an opened message is found by its epoch secret and every byte of it, among the "
    "recent ones and after many others",
    "[mls][cache]") {
  EpochCache cache;
  const Bytes secret(32, 0xAA), other_secret(32, 0xAB);
  auto opened = std::make_shared<EpochCache::OpenedApplication>();
  opened->opened.sender.generation = 5;
  cache.put_opened(secret, message(1), opened);
  CHECK(cache.find_opened(secret, message(1)) == opened);
  CHECK(cache.find_opened(other_secret, message(1)) == nullptr);  // another epoch's members
  PrivateMessage changed = message(1);
  changed.ciphertext.back() ^= 1;
  CHECK(cache.find_opened(secret, changed) == nullptr);
  changed = message(1);
  changed.epoch = 8;
  CHECK(cache.find_opened(secret, changed) == nullptr);
  changed = message(1);
  changed.authenticated_data = Bytes{9};
  CHECK(cache.find_opened(secret, changed) == nullptr);
  // Many other messages later (beyond the recent ones) it is still there, and so are they.
  for (std::uint8_t n = 10; n < 60; ++n)
    cache.put_opened(secret, message(n), std::make_shared<EpochCache::OpenedApplication>());
  CHECK(cache.find_opened(secret, message(1)) == opened);
  CHECK(cache.find_opened(secret, message(10)) != nullptr);
  CHECK(cache.find_opened(secret, message(59)) != nullptr);
  CHECK(cache.find_opened(secret, message(60)) == nullptr);
  // Put again (the content opened after the sender data): the later entry answers.
  auto again = std::make_shared<EpochCache::OpenedApplication>();
  cache.put_opened(secret, message(1), again);
  CHECK(cache.find_opened(secret, message(1)) == again);
}
