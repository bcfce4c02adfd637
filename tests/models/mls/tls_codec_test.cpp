// The TLS presentation codec: the interop deserialization vectors, round trips, and rejection of
// malformed input.
#include <catch2/catch.hpp>

#include "models/mls/tls_reader.hpp"
#include "models/mls/tls_writer.hpp"
#include "sim/random.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("the reader rejects truncation, the 8-byte form and non-minimal varints", "[mls]") {
  const mls::Bytes truncated = mls::from_hex("4040");  // claims 64 bytes, holds none
  mls::TlsReader r1(truncated);
  CHECK_THROWS_AS(r1.opaque(), mls::DecodeError);
  const mls::Bytes eight = mls::from_hex("c000000000000001");
  mls::TlsReader r2(eight);
  CHECK_THROWS_AS(r2.varint(), mls::DecodeError);
  const mls::Bytes padded = mls::from_hex("4001");  // 1 in two bytes
  mls::TlsReader r3(padded);
  CHECK_THROWS_AS(r3.varint(), mls::DecodeError);
  const mls::Bytes padded4 = mls::from_hex("80003fff");  // 16383 in four bytes
  mls::TlsReader r4(padded4);
  CHECK_THROWS_AS(r4.varint(), mls::DecodeError);
  const mls::Bytes two = mls::from_hex("0102");
  mls::TlsReader r5(two);
  CHECK(r5.u8() == 1);
  CHECK_THROWS_AS(r5.expect_done("test"), mls::DecodeError);
  CHECK_THROWS_AS(r5.u16(), mls::DecodeError);
  CHECK_THROWS_AS(mls::TlsWriter().varint(std::uint64_t{1} << 30), std::invalid_argument);
}

TEST_CASE("random round trips and random garbage never read out of bounds", "[mls]") {
  dmlssim::sim::RandomStream rng(1, 0, "tls");
  for (int i = 0; i < 2000; ++i) {
    mls::TlsWriter w;
    const std::uint64_t n = rng.uniform_index(i % 3 == 0 ? 70000 : 300);
    mls::Bytes body(n);
    for (auto& b : body)
      b = static_cast<std::uint8_t>(rng.uniform_index(256));
    const std::uint64_t x = rng.uniform_index(std::uint64_t{1} << 30);
    w.opaque(body).u32(static_cast<std::uint32_t>(x)).varint(x);
    const mls::Bytes encoded = w.bytes();
    mls::TlsReader r(encoded);
    CHECK(r.opaque() == body);
    CHECK(r.u32() == static_cast<std::uint32_t>(x));
    CHECK(r.varint() == x);
    CHECK(r.done());
    // Any prefix of it is refused cleanly.
    const mls::Bytes cut(encoded.begin(),
                         encoded.begin() + static_cast<long>(rng.uniform_index(encoded.size())));
    mls::TlsReader rc(cut);
    CHECK_THROWS_AS((rc.opaque(), rc.u32(), rc.varint()), mls::DecodeError);
  }
}

TEST_CASE("vectors written in place encode as opaque of their content, nested too", "[mls]") {
  for (const std::size_t size : {0, 1, 63, 64, 16383, 16384, 70000}) {
    const mls::Bytes content(size, 0xab);
    mls::TlsWriter expected;
    expected.u8(7).opaque(content).u8(9);
    mls::TlsWriter in_place;
    in_place.u8(7).vector([&](mls::TlsWriter& w) { w.raw(content); }).u8(9);
    CHECK(in_place.bytes() == expected.bytes());
  }
  // vector< vector<uint8> >: the inner prefixes are written and moved with the outer content.
  mls::TlsWriter inner_a, inner_b, outer;
  inner_a.opaque(mls::Bytes(70, 1)).opaque(mls::Bytes(2, 2));
  inner_b.opaque(inner_a.bytes());
  outer.vector([](mls::TlsWriter& w) {
    w.vector([](mls::TlsWriter& v) { v.raw(mls::Bytes(70, 1)); });
    w.vector([](mls::TlsWriter& v) { v.raw(mls::Bytes(2, 2)); });
  });
  CHECK(outer.bytes() == inner_b.bytes());
}
