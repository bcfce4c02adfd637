// The epoch cache's opened application messages: found only by the same epoch secret and every
// byte of the message, whether among the last few (found by address, compared in place) or
// further back; and the verdicts on PublicMessages, kept for the last few only.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "models/mls/epoch_cache.hpp"
#include "models/mls/message_owner.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/tls_writer.hpp"

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

PublicMessage public_message() {
  PublicMessage m;
  m.content.group_id = Bytes{1, 2, 3};
  m.content.epoch = 4;
  m.content.content = Bytes{7, 7, 7};
  m.signature = Bytes(64, 9);
  m.membership_tag = Bytes(32, 5);
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
  cache.put_opened(secret, message(1), nullptr, opened);
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
  // A message object changed in place after it was opened is not taken for what it was.
  PrivateMessage kept = message(2);
  cache.put_opened(secret, kept, nullptr, std::make_shared<EpochCache::OpenedApplication>());
  CHECK(cache.find_opened(secret, kept) != nullptr);
  kept.ciphertext.back() ^= 1;
  CHECK(cache.find_opened(secret, kept) == nullptr);
  // Many other messages later (beyond the recent ones) it is still there, and so are they.
  for (std::uint8_t n = 10; n < 60; ++n)
    cache.put_opened(secret, message(n), nullptr,
                     std::make_shared<EpochCache::OpenedApplication>());
  CHECK(cache.find_opened(secret, message(1)) == opened);
  CHECK(cache.find_opened(secret, message(10)) != nullptr);
  CHECK(cache.find_opened(secret, message(59)) != nullptr);
  CHECK(cache.find_opened(secret, message(60)) == nullptr);
  // Put again (the content opened after the sender data): the later entry answers.
  auto again = std::make_shared<EpochCache::OpenedApplication>();
  cache.put_opened(secret, message(1), nullptr, again);
  CHECK(cache.find_opened(secret, message(1)) == again);
}

TEST_CASE(
    "epoch cache: a PublicMessage's verdict is shared only for the same message, membership key, "
    "group context and signature key",
    "[mls][cache]") {
  EpochCache cache;
  PublicMessage m = public_message();
  const Bytes key(32, 1), context(90, 2), signer(32, 3);
  CHECK(cache.find_verified(key, context, signer, m) == nullptr);
  cache.put_verified(key, context, signer, m, nullptr,
                     {ProtectionError::kNone, std::make_shared<const Bytes>(Bytes{4, 4})});
  const EpochCache::VerifiedPublic* hit = cache.find_verified(key, context, signer, m);
  REQUIRE(hit != nullptr);
  CHECK(hit->error == ProtectionError::kNone);
  CHECK(*hit->tbs == Bytes{4, 4});
  CHECK(cache.find_verified(Bytes(32, 8), context, signer, m) == nullptr);
  CHECK(cache.find_verified(key, Bytes(90, 3), signer, m) == nullptr);
  CHECK(cache.find_verified(key, context, Bytes{}, m) == nullptr);
  PublicMessage tampered = m;
  tampered.membership_tag.back() ^= 1;
  CHECK(cache.find_verified(key, context, signer, tampered) == nullptr);
  tampered = m;
  tampered.content.content = Bytes{7, 7, 8};
  CHECK(cache.find_verified(key, context, signer, tampered) == nullptr);
  // Found again by the object's address: an equal copy elsewhere is verified again, and the
  // object changed in place is not taken for what it was.
  const PublicMessage copy = m;
  CHECK(cache.find_verified(key, context, signer, copy) == nullptr);
  m.membership_tag.back() ^= 1;
  CHECK(cache.find_verified(key, context, signer, m) == nullptr);
  m.membership_tag.back() ^= 1;
  CHECK(cache.find_verified(key, context, signer, m) == hit);
  // Only the last 64 are kept: after 63 others it is there, after 64 it is verified again.
  std::vector<PublicMessage> others(64, m);
  for (std::size_t n = 0; n < others.size(); ++n) {
    others[n].signature[0] = static_cast<std::uint8_t>(n);
    cache.put_verified(key, context, signer, others[n], nullptr,
                       {ProtectionError::kBadMembershipTag, {}});
    if (n == 62) CHECK(cache.find_verified(key, context, signer, m) == hit);
  }
  CHECK(cache.find_verified(key, context, signer, m) == nullptr);
  CHECK(cache.find_verified(key, context, signer, others[0])->error ==
        ProtectionError::kBadMembershipTag);
}

TEST_CASE(
    "epoch cache: a message put with its owner is held by the cache and known by its address, "
    "still only for its epoch's secret or membership key",
    "[mls][cache]") {
  EpochCache cache;
  const Bytes secret(32, 0xAA), other_secret(32, 0xAB);
  auto owned = std::make_shared<const PrivateMessage>(message(3));
  const std::weak_ptr<const PrivateMessage> watch = owned;
  const PrivateMessage* at = owned.get();
  auto opened = std::make_shared<EpochCache::OpenedApplication>();
  cache.put_opened(secret, *owned, owned, opened);
  owned.reset();
  REQUIRE_FALSE(watch.expired());  // the cache keeps it: nothing else can take its address
  CHECK(cache.find_opened(secret, *at) == opened);
  CHECK(cache.find_opened(other_secret, *at) == nullptr);
  // An equal message elsewhere is found through the keyed entries, as before.
  CHECK(cache.find_opened(secret, message(3)) == opened);

  const PublicMessage pub = public_message();
  auto pub_owner = std::make_shared<const PublicMessage>(pub);
  const std::weak_ptr<const PublicMessage> pub_watch = pub_owner;
  const Bytes key(32, 1), context(90, 2), signer(32, 3);
  cache.put_verified(key, context, signer, *pub_owner, pub_owner,
                     {ProtectionError::kNone, std::make_shared<const Bytes>(Bytes{4, 4})});
  const PublicMessage* pub_at = pub_owner.get();
  pub_owner.reset();
  REQUIRE_FALSE(pub_watch.expired());
  const EpochCache::VerifiedPublic* hit = cache.find_verified(key, context, signer, *pub_at);
  REQUIRE(hit != nullptr);
  CHECK(*hit->tbs == Bytes{4, 4});
  CHECK(cache.find_verified(Bytes(32, 8), context, signer, *pub_at) == nullptr);
  CHECK(cache.find_verified(key, Bytes(90, 3), signer, *pub_at) == nullptr);
  CHECK(cache.find_verified(key, context, signer, pub) == nullptr);  // a copy elsewhere
}

TEST_CASE(
    "epoch cache: a commit's confirmed transcript hash and transition key are shared for the same "
    "TBS object, previous epoch and signature, and recomputed otherwise",
    "[mls][cache]") {
  EpochCache cache;
  EpochPublic prev;
  prev.context_bytes = Bytes(90, 0x11);
  prev.interim_transcript_hash = Bytes(32, 0x22);
  // A FramedContentTBS: version (2 bytes), wire format and content, then the GroupContext.
  Bytes body{0, 1, 0, 1, 9, 9, 9, 9, 9};
  body.insert(body.end(), prev.context_bytes.begin(), prev.context_bytes.end());
  const auto tbs = std::make_shared<const Bytes>(body);
  const Bytes signature(64, 0x33);
  // RFC 9420 §8.2: H(interim || ConfirmedTranscriptHashInput), the input being wire_format and
  // content (the TBS between the version and the context) and the signature as an opaque<V>.
  TlsWriter input;
  input.raw(prev.interim_transcript_hash);
  input.raw(Bytes(body.begin() + 2, body.end() - static_cast<long>(prev.context_bytes.size())));
  input.opaque(signature);
  const Bytes expected = sha256(input.bytes());

  const EpochCache::CommitDigests first = cache.commit_digests(prev, tbs, signature);
  CHECK(first.confirmed_transcript_hash == expected);
  CHECK(first.key == EpochCache::key(prev, expected));
  CHECK(&cache.commit_digests(prev, tbs, signature) == &cache.commit_digests(prev, tbs, signature));

  EpochPublic other_interim = prev;
  other_interim.interim_transcript_hash[0] ^= 1;
  CHECK(cache.commit_digests(other_interim, tbs, signature).confirmed_transcript_hash != expected);
  EpochPublic other_context = prev;
  other_context.context_bytes[5] ^= 1;  // (same length: only the key differs)
  CHECK(cache.commit_digests(other_context, tbs, signature).key != first.key);
  Bytes other_signature = signature;
  other_signature.back() ^= 1;
  CHECK(cache.commit_digests(prev, tbs, other_signature).confirmed_transcript_hash != expected);
  // An equal TBS in another object: the same digests, computed again.
  const auto copy = std::make_shared<const Bytes>(body);
  const EpochCache::CommitDigests& again = cache.commit_digests(prev, copy, signature);
  CHECK(again.confirmed_transcript_hash == expected);
  CHECK(again.key == first.key);
}

TEST_CASE("a message owner shares the caller's pointer only when asked, and none is empty",
          "[mls][cache]") {
  const auto message = std::make_shared<const PrivateMessage>();
  const MessageOwner owner(message);
  CHECK(static_cast<bool>(owner));
  CHECK(message.use_count() == 1);  // nothing taken until asked
  const std::shared_ptr<const void> shared = owner.share();
  CHECK(shared.get() == message.get());
  CHECK(message.use_count() == 2);
  CHECK_FALSE(static_cast<bool>(MessageOwner()));
  CHECK(MessageOwner().share() == nullptr);
  CHECK_FALSE(static_cast<bool>(MessageOwner(std::shared_ptr<const PrivateMessage>())));
}
