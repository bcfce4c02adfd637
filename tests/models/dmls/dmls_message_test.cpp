// DMLSMessage: 33 bytes around a PublicMessage or PrivateMessage, round trips, and refusal of other
// wire formats, wrong epoch identities and truncation; random mutations never crash a device.
#include <catch2/catch.hpp>

#include "models/dmls/dmls_message.hpp"
#include "models/dmls/epoch_tree.hpp"
#include "models/dmls/key_schedule.hpp"
#include "tests/models/mls/group_harness.hpp"

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;
using dmlssim::testing::GroupHarness;

namespace {

struct Fixture {
  GroupHarness h{[] {
    mls::GroupConfig c;
    c.crypto = &mls::fast_crypto();
    c.successor_init = dmls::dmls_successor_init();
    return c;
  }()};
  mls::CommitOutput add;
  Fixture() {
    const int a = h.new_client(), b = h.new_client();
    h.create(a);
    mls::CommitOptions options;
    options.by_value.push_back(mls::Proposal{mls::AddProposal{h.client(b).key_package}});
    add = h.commit(a, options, {b});
  }
  mls::Bytes epoch_of(int member) {
    return dmls::dmls_epoch_of(*h.config().crypto, h.group(member).epoch_secrets());
  }
};

}  // namespace

TEST_CASE("a DMLSMessage is its MLSMessage and 33 bytes, and decodes to what was sent", "[dmls]") {
  Fixture f;
  const mls::Bytes epoch = f.epoch_of(0);
  const mls::MlsMessage app = f.h.group(0).protect(mls::Bytes(100, 'x'));
  const mls::MlsMessage commit = f.h.group(0).commit().commit;
  for (const mls::MlsMessage* m : {&app, &commit}) {
    const dmls::DmlsMessage wrapped{*m, epoch};
    const mls::Bytes bytes = mls::encode_one(wrapped);
    CHECK(bytes.size() == mls::encode_one(*m).size() + 33);
    const auto back = mls::decode_one<dmls::DmlsMessage>(bytes, "DMLSMessage");
    CHECK(back.dmls_epoch == epoch);
    CHECK(mls::encode_one(back.message) == mls::encode_one(*m));
  }
  // The receiver opens what it decoded.
  const auto back = mls::decode_one<dmls::DmlsMessage>(
      mls::encode_one(dmls::DmlsMessage{app, epoch}), "DMLSMessage");
  CHECK(*f.h.group(1).handle(back.message).application_data == mls::Bytes(100, 'x'));
}

TEST_CASE("a DMLSMessage carries no Welcome and only an Nh-byte epoch identity", "[dmls]") {
  Fixture f;
  const mls::MlsMessage welcome = *f.add.welcome;
  CHECK_THROWS_AS(mls::encode_one(dmls::DmlsMessage{welcome, f.epoch_of(0)}),
                  std::invalid_argument);
  mls::TlsWriter forged;
  welcome.encode(forged);
  forged.opaque(f.epoch_of(0));
  CHECK_THROWS_AS(mls::decode_one<dmls::DmlsMessage>(forged.bytes(), "DMLSMessage"),
                  mls::DecodeError);

  const mls::MlsMessage app = f.h.group(0).protect(mls::to_bytes("hi"));
  const mls::Bytes short_epoch(31, 1);
  CHECK_THROWS_AS(mls::encode_one(dmls::DmlsMessage{app, short_epoch}), std::invalid_argument);
  mls::TlsWriter short_form;
  app.encode(short_form);
  short_form.opaque(short_epoch);
  CHECK_THROWS_AS(mls::decode_one<dmls::DmlsMessage>(short_form.bytes(), "DMLSMessage"),
                  mls::DecodeError);
}

TEST_CASE("every truncation of a DMLSMessage is refused", "[dmls]") {
  Fixture f;
  const mls::Bytes bytes = mls::encode_one(
      dmls::DmlsMessage{f.h.group(0).protect(mls::to_bytes("hello")), f.epoch_of(0)});
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const mls::Bytes cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
    CHECK_THROWS_AS(mls::decode_one<dmls::DmlsMessage>(cut, "DMLSMessage"), mls::DecodeError);
  }
}

TEST_CASE("mutated DMLSMessages decode or are refused, and a device classifies what decodes",
          "[dmls]") {
  Fixture f;
  const mls::Bytes epoch = f.epoch_of(1);
  std::vector<mls::Bytes> samples = {
      mls::encode_one(dmls::DmlsMessage{f.h.group(0).protect(mls::to_bytes("data")), epoch}),
      mls::encode_one(dmls::DmlsMessage{f.h.group(0).commit().commit, epoch})};
  dmls::EpochTree device(*f.h.config().crypto, f.h.group(1));
  mls::Drbg rng(mls::Bytes(32, 77));
  int decoded = 0, refused = 0;
  for (int i = 0; i < 2000; ++i) {
    mls::Bytes m = samples[static_cast<std::size_t>(i) % samples.size()];
    const mls::Bytes r = rng.bytes(4);
    const std::size_t at = (static_cast<std::size_t>(r[0]) << 8 | r[1]) % m.size();
    if (r[2] % 4 == 0) {
      m.resize(at);  // truncated
    } else {
      m[at] ^= static_cast<std::uint8_t>(r[3] | 1);  // one byte changed
    }
    try {
      const auto msg = mls::decode_one<dmls::DmlsMessage>(m, "DMLSMessage");
      ++decoded;
      for (const dmls::TreeEvent& e : device.receive(msg)) {
        // Whatever it is, it is either handled or classified.
        CHECK((e.kind != dmls::TreeEvent::Kind::kUndecryptable ||
               e.cause == dmls::Undecryptable::kRejected ||
               e.cause == dmls::Undecryptable::kKeyConsumed));
      }
    } catch (const mls::DecodeError&) {
      ++refused;
    }
  }
  CHECK(decoded > 100);
  CHECK(refused > 100);
}
