// MemoCrypto answers exactly as the provider it wraps — valid and invalid signatures, HPKE opens
// that succeed and that fail, derived key pairs — computing each distinct call once, within its
// two-generation bound.
#include <catch2/catch.hpp>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/memo_crypto.hpp"
#include "models/mls/primitives.hpp"

namespace mls = dmlssim::models::mls;

TEST_CASE("memo crypto: signatures verify as with the wrapped provider, once per distinct call",
          "[mls]") {
  for (const mls::CryptoProvider* inner : {&mls::real_crypto(), &mls::fast_crypto()}) {
    INFO(inner->name());
    const mls::MemoCrypto memo(*inner);
    CHECK(memo.name() == inner->name());
    const mls::Bytes sk(32, 7);
    const mls::Bytes pk = inner->signature_public_key(sk);
    const mls::Bytes message = mls::to_bytes("a commit's FramedContentTBS");
    const mls::Bytes good = inner->sign(sk, message);
    mls::Bytes bad = good;
    bad[3] ^= 1;
    for (int round = 0; round < 3; ++round) {
      CHECK(memo.verify(pk, message, good));
      CHECK_FALSE(memo.verify(pk, message, bad));
      // The same bytes split differently between the inputs are a different call.
      mls::Bytes shifted = message;
      shifted.push_back(good[0]);
      CHECK_FALSE(memo.verify(pk, shifted, mls::Bytes(good.begin() + 1, good.end())));
    }
    CHECK(memo.misses() == 3);
    CHECK(memo.hits() == 6);
  }
}

TEST_CASE("memo crypto: HPKE opens and derived key pairs equal the wrapped provider's", "[mls]") {
  for (const mls::CryptoProvider* inner : {&mls::real_crypto(), &mls::fast_crypto()}) {
    INFO(inner->name());
    const mls::MemoCrypto memo(*inner);
    const mls::HpkeKeyPair recipient = inner->derive_key_pair(mls::Bytes(32, 1));
    CHECK(memo.derive_key_pair(mls::Bytes(32, 1)).public_key == recipient.public_key);
    CHECK(memo.derive_key_pair(mls::Bytes(32, 1)).private_key == recipient.private_key);
    CHECK(memo.dh_public_key(recipient.private_key) == recipient.public_key);
    const mls::Bytes info = mls::to_bytes("info"), aad = mls::to_bytes("aad");
    const mls::Bytes plaintext = mls::to_bytes("a path secret, thirty-two bytes!");
    const auto [enc, ct] =
        inner->seal_base(recipient.public_key, info, aad, plaintext, mls::Bytes(32, 5));
    for (int round = 0; round < 2; ++round) {
      CHECK(memo.open_base(enc, recipient, info, aad, ct) == plaintext);
      mls::Bytes tampered = ct;
      tampered.back() ^= 1;
      CHECK_THROWS_AS(memo.open_base(enc, recipient, info, aad, tampered), mls::CryptoError);
      // Another recipient key is another call: it fails as the wrapped provider fails.
      const mls::HpkeKeyPair other = inner->derive_key_pair(mls::Bytes(32, 2));
      CHECK_THROWS_AS(memo.open_base(enc, other, info, aad, ct), mls::CryptoError);
    }
    CHECK(memo.misses() == 5);  // derive, dh_public_key, three opens
    CHECK(memo.hits() == 4);
  }
}

TEST_CASE("memo crypto: bounded to two generations of its capacity", "[mls]") {
  const mls::MemoCrypto memo(mls::fast_crypto(), 4);
  auto key_of = [&](int i) {
    return memo.dh_public_key(mls::Bytes(32, static_cast<std::uint8_t>(i)));
  };
  for (int i = 0; i < 4; ++i)
    key_of(i);  // generation 1: 0..3
  for (int i = 4; i < 8; ++i)
    key_of(i);  // generation 2: 4..7; 0..3 become the previous generation
  CHECK(memo.misses() == 8);
  key_of(0);  // still held (previous generation), moved to the current one
  CHECK(memo.hits() == 1);
  for (int i = 8; i < 16; ++i)
    key_of(i);  // two more generations: 1..3 are dropped
  const std::uint64_t misses = memo.misses();
  CHECK(key_of(1) == mls::fast_crypto().dh_public_key(mls::Bytes(32, 1)));
  CHECK(memo.misses() == misses + 1);
}
