// The two crypto providers: `fast` keeps the sizes and the algebra (shared secrets agree, a
// signature verifies only for its message and key) that the state machine relies on; HPKE and
// KeyPackages built on either have the same lengths.
#include <catch2/catch.hpp>

#include "models/mls/crypto_provider.hpp"
#include "models/mls/hpke.hpp"
#include "models/mls/key_package.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/tls_writer.hpp"
#include "models/mls/wire_types.hpp"

namespace mls = dmlssim::models::mls;

TEST_CASE("providers are found by name, and only the two", "[mls]") {
  CHECK(mls::find_crypto_provider("real") == &mls::real_crypto());
  CHECK(mls::find_crypto_provider("fast") == &mls::fast_crypto());
  CHECK(mls::find_crypto_provider("Fast") == nullptr);
  CHECK(mls::find_crypto_provider("") == nullptr);
}

TEST_CASE("fast Diffie-Hellman agrees on both sides and has X25519's sizes", "[mls]") {
  const auto& fast = mls::fast_crypto();
  const mls::Bytes a(32, 1), b(32, 2), c(32, 3);
  const mls::Bytes pa = fast.dh_public_key(a), pb = fast.dh_public_key(b);
  CHECK(pa.size() == 32);
  CHECK(pa != pb);
  CHECK(fast.dh(a, pb) == fast.dh(b, pa));
  CHECK(fast.dh(a, pb).size() ==
        mls::real_crypto().dh(a, mls::real_crypto().dh_public_key(b)).size());
  CHECK(fast.dh(c, pb) != fast.dh(a, pb));
  CHECK_THROWS_AS(fast.dh(a, mls::Bytes(31, 0)), mls::CryptoError);
  CHECK_THROWS_AS(fast.dh_public_key(mls::Bytes(5, 0)), mls::CryptoError);
}

TEST_CASE("fast signatures verify only for their message and key", "[mls]") {
  for (const mls::CryptoProvider* p : {&mls::real_crypto(), &mls::fast_crypto()}) {
    INFO(p->name());
    const mls::Bytes sk(32, 9), other(32, 10);
    const mls::Bytes pk = p->signature_public_key(sk);
    const mls::Bytes m = mls::to_bytes("message");
    const mls::Bytes sig = p->sign(sk, m);
    CHECK(sig.size() == 64);
    CHECK(pk.size() == 32);
    CHECK(p->verify(pk, m, sig));
    CHECK_FALSE(p->verify(pk, mls::to_bytes("messagE"), sig));
    CHECK_FALSE(p->verify(p->signature_public_key(other), m, sig));
    mls::Bytes bad = sig;
    bad[40] ^= 1;
    CHECK_FALSE(p->verify(pk, m, bad));
  }
}

TEST_CASE("HPKE over the fast provider round-trips with the real lengths", "[mls][hpke]") {
  std::size_t sizes[2][2];
  int i = 0;
  for (const mls::CryptoProvider* p : {&mls::real_crypto(), &mls::fast_crypto()}) {
    const mls::HpkeKeyPair r = p->derive_key_pair(mls::Bytes(32, 4));

    const mls::Bytes pt = mls::to_bytes("path secret of thirty-two bytes!");
    auto [enc, ct] = p->seal_base(r.public_key, mls::to_bytes("info"), {}, pt, mls::Bytes(32, 5));
    CHECK(p->open_base(enc, r, mls::to_bytes("info"), {}, ct) == pt);
    CHECK_THROWS_AS(p->open_base(enc, r, mls::to_bytes("other"), {}, ct), mls::CryptoError);
    sizes[i][0] = enc.size();
    sizes[i][1] = ct.size();
    ++i;
  }
  CHECK(sizes[0][0] == sizes[1][0]);
  CHECK(sizes[0][1] == sizes[1][1]);
}

TEST_CASE("KeyPackages from either provider check out and encode to the same length", "[mls]") {
  std::size_t lengths[2];
  int i = 0;
  for (const mls::CryptoProvider* p : {&mls::real_crypto(), &mls::fast_crypto()}) {
    const mls::KeyPackage kp =
        mls::make_key_package(*p, mls::to_bytes("@bob:b.example/D"), mls::Bytes(32, 1),
                              mls::Bytes(32, 2), mls::Bytes(32, 3), mls::Lifetime{0, 100});
    CHECK(mls::check_key_package(*p, kp) == mls::KeyPackageError::kNone);
    lengths[i++] = mls::encode_one(kp).size();
  }
  CHECK(lengths[0] == lengths[1]);
  // A real signature does not pass as a fast one, and vice versa.
  const mls::KeyPackage real =
      mls::make_key_package(mls::real_crypto(), mls::to_bytes("x"), mls::Bytes(32, 1),
                            mls::Bytes(32, 2), mls::Bytes(32, 3), mls::Lifetime{0, 100});
  CHECK(mls::check_key_package(mls::fast_crypto(), real) != mls::KeyPackageError::kNone);
}
