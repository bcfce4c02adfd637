// The two crypto providers: `fast` keeps the sizes and the algebra (shared secrets agree, a
// signature verifies only for its message and key) that the state machine relies on; HPKE and
// KeyPackages built on either have the same lengths; the real MAC and KDF are HMAC and HKDF.
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
    CHECK_THROWS_AS(p->open_base(enc, r, mls::to_bytes("info"), mls::to_bytes("aad"), ct),
                    mls::CryptoError);
    for (const std::size_t at : {std::size_t{0}, ct.size() - 1}) {
      mls::Bytes tampered = ct;
      tampered[at] ^= 1;
      CHECK_THROWS_AS(p->open_base(enc, r, mls::to_bytes("info"), {}, tampered), mls::CryptoError);
    }
    CHECK_THROWS_AS(p->open_base(enc, r, mls::to_bytes("info"), {}, mls::Bytes(15, 0)),
                    mls::CryptoError);
    const mls::Bytes long_pt(100, 7), aad = mls::to_bytes("aad");
    auto [enc2, ct2] = p->seal_base(r.public_key, {}, aad, long_pt, mls::Bytes(32, 6));
    CHECK(ct2.size() == long_pt.size() + 16);
    CHECK(p->open_base(enc2, r, {}, aad, ct2) == long_pt);
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

TEST_CASE("the real MAC and KDF are HMAC-SHA256 and HKDF-SHA256 (RFC 5869 A.1)", "[mls]") {
  const auto& real = mls::real_crypto();
  const mls::Bytes ikm(22, 0x0b), salt = mls::from_hex("000102030405060708090a0b0c");
  const mls::Bytes info = mls::from_hex("f0f1f2f3f4f5f6f7f8f9");
  const mls::Bytes prk = real.kdf_extract(salt, ikm);
  CHECK(prk == mls::from_hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"));
  CHECK(real.kdf_expand(prk, info, 42) ==
        mls::from_hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b8"
                      "87185865"));
  CHECK(real.mac(salt, ikm) == mls::hmac_sha256(salt, ikm));
  // An empty salt is the HMAC key of Nh zero bytes.
  CHECK(real.kdf_extract({}, ikm) == real.kdf_extract(mls::Bytes(32, 0), ikm));
}

TEST_CASE("the fast MAC and KDF have the real lengths and depend on every input", "[mls]") {
  const auto& fast = mls::fast_crypto();
  const auto& real = mls::real_crypto();
  const mls::Bytes key(32, 1), data = mls::to_bytes("data");
  CHECK(fast.mac(key, data).size() == real.mac(key, data).size());
  CHECK(fast.mac(key, data) != real.mac(key, data));
  CHECK(fast.mac(key, data) != fast.mac(mls::Bytes(32, 2), data));
  CHECK(fast.mac(key, data) != fast.mac(key, mls::to_bytes("datb")));
  // The key length is bound: moving a byte from the key into the data changes the MAC.
  CHECK(fast.mac(mls::Bytes{1, 2}, mls::Bytes{3}) != fast.mac(mls::Bytes{1}, mls::Bytes{2, 3}));
  for (const std::size_t length : {0, 12, 16, 32, 33, 100}) {
    CHECK(fast.kdf_expand(key, data, length).size() == length);
  }
  const mls::Bytes long_out = fast.kdf_expand(key, data, 100);
  CHECK(fast.kdf_expand(key, data, 16) == mls::Bytes(long_out.begin(), long_out.begin() + 16));
  CHECK(fast.kdf_expand(key, mls::to_bytes("other"), 32) != fast.kdf_expand(key, data, 32));
  CHECK(fast.kdf_expand(mls::Bytes(32, 2), data, 32) != fast.kdf_expand(key, data, 32));
  CHECK_THROWS_AS(fast.kdf_expand(key, data, 255 * 32 + 1), mls::CryptoError);
  CHECK_THROWS_AS(real.kdf_expand(key, data, 255 * 32 + 1), mls::CryptoError);
}
