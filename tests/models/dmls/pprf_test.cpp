// The puncturable PRF of draft-kohbrok-mls-dmls §5: outputs equal the MLS secret-tree derivation
// computed independently, every input is derivable exactly once, and the storage it holds matches
// a hand count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include "models/dmls/pprf.hpp"
#include "models/mls/labels.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/secret_tree.hpp"
#include "models/mls/tree_math.hpp"

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;

namespace {

const mls::Bytes kKey =
    mls::from_hex("1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d2f4a");

// An Nh-byte input whose first bits are `index` over `bits` bits.
mls::Bytes input_of(unsigned index, unsigned bits) {
  mls::Bytes in(32, 0x5a);
  const unsigned shifted = index << (8 - bits);  // bits <= 8 here
  in[0] = static_cast<std::uint8_t>(shifted | (in[0] & ((1u << (8 - bits)) - 1)));
  return in;
}

}  // namespace

TEST_CASE("PPRF outputs are the secret-tree leaf secrets' DeriveSecret(., \"pprf\")", "[dmls]") {
  for (const mls::CryptoProvider* crypto : {&mls::real_crypto(), &mls::fast_crypto()}) {
    dmls::PuncturablePrf prf(*crypto, kKey, 3);
    for (const unsigned i : {5u, 0u, 7u, 2u}) {
      // RFC 9420 §9's secret tree of 8 leaves rooted at the key, leaf i.
      const mls::Bytes leaf = mls::secret_tree_node(*crypto, kKey, 8, mls::leaf_node(i));
      CHECK(prf.evaluate(input_of(i, 3)) == mls::derive_secret(*crypto, leaf, "pprf"));
    }
  }
}

TEST_CASE("PPRF at full depth walks all 256 bits of the input", "[dmls]") {
  const auto& crypto = mls::fast_crypto();
  mls::Bytes input(32);
  std::iota(input.begin(), input.end(), std::uint8_t{1});
  mls::Bytes secret = kKey;
  for (unsigned level = 0; level < 256; ++level) {
    const bool right = (input[level / 8] >> (7 - level % 8)) & 1;
    secret =
        mls::expand_with_label(crypto, secret, "tree", mls::to_bytes(right ? "right" : "left"), 32);
  }
  dmls::PuncturablePrf prf(crypto, kKey);
  CHECK(prf.evaluate(input) == mls::derive_secret(crypto, secret, "pprf"));
  // Puncturing held 256 copath secrets: 8 KiB, plus their positions.
  CHECK(prf.secrets_held() == 256);
  CHECK(prf.secret_bytes() == 8192);
  std::size_t positions = 0;
  for (unsigned level = 1; level <= 256; ++level)
    positions += 2 + (level + 7) / 8;
  CHECK(prf.position_bytes() == positions);
}

TEST_CASE("a punctured input is never derived again — every other input still is", "[dmls]") {
  const auto& crypto = mls::fast_crypto();
  dmls::PuncturablePrf reference(crypto, kKey, 4);
  std::vector<mls::Bytes> expected;
  for (unsigned i = 0; i < 16; ++i) {
    dmls::PuncturablePrf fresh(crypto, kKey, 4);
    expected.push_back(*fresh.evaluate(input_of(i, 4)));
  }
  std::vector<unsigned> order = {9, 3, 15, 0, 8, 1, 14, 6, 2, 12, 5, 11, 7, 13, 4, 10};
  dmls::PuncturablePrf prf(crypto, kKey, 4);
  std::vector<bool> done(16, false);
  for (const unsigned i : order) {
    CHECK_FALSE(prf.punctured(input_of(i, 4)));
    CHECK(prf.evaluate(input_of(i, 4)) == expected[i]);
    done[i] = true;
    for (unsigned j = 0; j < 16; ++j)
      CHECK(prf.punctured(input_of(j, 4)) == done[j]);
    CHECK_FALSE(prf.evaluate(input_of(i, 4)).has_value());
  }
  CHECK(prf.secrets_held() == 0);
  CHECK(prf.evaluations() == 16);
}

TEST_CASE("PPRF storage matches a hand count on an 8-leaf tree", "[dmls]") {
  dmls::PuncturablePrf prf(mls::fast_crypto(), kKey, 3);
  CHECK(prf.secrets_held() == 1);  // the root
  CHECK(prf.position_bytes() == 2);
  REQUIRE(prf.evaluate(input_of(0b000, 3)));
  // Held: 1 (level 1), 01 (level 2), 001 (level 3).
  CHECK(prf.secrets_held() == 3);
  CHECK(prf.secret_bytes() == 96);
  CHECK(prf.position_bytes() == 3 * 3);
  REQUIRE(prf.evaluate(input_of(0b111, 3)));
  // 1 replaced by 10 and 110: 01, 001, 10, 110.
  CHECK(prf.secrets_held() == 4);
  REQUIRE(prf.evaluate(input_of(0b001, 3)));
  // 001 was a held leaf: used up. 01, 10, 110.
  CHECK(prf.secrets_held() == 3);
  CHECK(prf.position_bytes() == 9);
  REQUIRE(prf.evaluate(input_of(0b010, 3)));
  // 01 replaced by 011: 011, 10, 110.
  CHECK(prf.secrets_held() == 3);
}

TEST_CASE("a shallow PPRF reading collides on inputs sharing their first bits", "[dmls]") {
  dmls::PuncturablePrf prf(mls::fast_crypto(), kKey, 8);
  mls::Bytes a(32, 0x11), b(32, 0x11);
  b[31] = 0x12;  // differs after the first 8 bits only
  CHECK(prf.evaluate(a).has_value());
  CHECK_FALSE(prf.evaluate(b).has_value());
  dmls::PuncturablePrf full(mls::fast_crypto(), kKey);
  CHECK(full.evaluate(a).has_value());
  CHECK(full.evaluate(b).has_value());
}

TEST_CASE("PPRF refuses keys and inputs that are not Nh bytes and impossible depths", "[dmls]") {
  const auto& crypto = mls::fast_crypto();
  CHECK_THROWS_AS(dmls::PuncturablePrf(crypto, mls::Bytes(31, 0)), std::invalid_argument);
  CHECK_THROWS_AS(dmls::PuncturablePrf(crypto, kKey, 0), std::invalid_argument);
  CHECK_THROWS_AS(dmls::PuncturablePrf(crypto, kKey, 257), std::invalid_argument);
  dmls::PuncturablePrf prf(crypto, kKey);
  CHECK_THROWS_AS(prf.evaluate(mls::Bytes(33, 0)), std::invalid_argument);
  CHECK_THROWS_AS(prf.punctured(mls::Bytes{}), std::invalid_argument);
}

TEST_CASE("deriving without puncturing changes nothing until the evaluation is applied", "[dmls]") {
  dmls::PuncturablePrf prf(mls::fast_crypto(), kKey, 4);
  const auto e = prf.derive(input_of(6, 4));
  REQUIRE(e.has_value());
  CHECK(prf.secrets_held() == 1);
  CHECK_FALSE(prf.punctured(input_of(6, 4)));
  CHECK(prf.derive(input_of(6, 4))->output == e->output);
  // Another input starting from the same held node: applying one stales the other.
  const auto other = prf.derive(input_of(9, 4));
  prf.puncture(*e);
  CHECK(prf.punctured(input_of(6, 4)));
  CHECK(prf.secrets_held() == 4);
  CHECK_THROWS_AS(prf.puncture(*other), std::logic_error);
  CHECK(prf.evaluate(input_of(9, 4)) == other->output);  // derived afresh, same value
}
