// The MLS structs' codec: the interop round-trip vectors (messages.json), and thousands of
// mutated and truncated messages fed to every decoder (errors, never undefined behaviour; the
// ASan/UBSan build runs this too).
#include <catch2/catch.hpp>

#include <functional>
#include <map>

#include "models/mls/wire_messages.hpp"
#include "sim/random.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

namespace {

// Decodes exactly one value from `bytes` and re-encodes it.
using RoundTrip = std::function<mls::Bytes(const mls::Bytes&)>;

template <typename T>
RoundTrip struct_trip() {
  return [](const mls::Bytes& b) { return mls::encode_one(mls::decode_one<T>(b, "vector")); };
}

RoundTrip proposal_trip(mls::ProposalType type) {
  return [type](const mls::Bytes& b) {
    mls::TlsReader r(b);
    const mls::Proposal p = mls::Proposal::decode_body(type, r);
    r.expect_done("proposal");
    mls::TlsWriter w;
    p.encode_body(w);
    return w.take();
  };
}

const std::map<std::string, RoundTrip>& trips() {
  static const std::map<std::string, RoundTrip> t = {
      {"mls_welcome", struct_trip<mls::MlsMessage>()},
      {"mls_group_info", struct_trip<mls::MlsMessage>()},
      {"mls_key_package", struct_trip<mls::MlsMessage>()},
      {"ratchet_tree",
       [](const mls::Bytes& b) {
         mls::TlsReader r(b);
         const auto nodes = mls::decode_ratchet_tree(r);
         r.expect_done("ratchet_tree");
         mls::TlsWriter w;
         mls::encode_ratchet_tree(w, nodes);
         return w.take();
       }},
      {"group_secrets", struct_trip<mls::GroupSecrets>()},
      {"add_proposal", proposal_trip(mls::ProposalType::kAdd)},
      {"update_proposal", proposal_trip(mls::ProposalType::kUpdate)},
      {"remove_proposal", proposal_trip(mls::ProposalType::kRemove)},
      {"pre_shared_key_proposal", proposal_trip(mls::ProposalType::kPreSharedKey)},
      {"re_init_proposal", proposal_trip(mls::ProposalType::kReInit)},
      {"external_init_proposal", proposal_trip(mls::ProposalType::kExternalInit)},
      {"group_context_extensions_proposal",
       proposal_trip(mls::ProposalType::kGroupContextExtensions)},
      {"commit", struct_trip<mls::Commit>()},
      {"public_message_application", struct_trip<mls::MlsMessage>()},
      {"public_message_proposal", struct_trip<mls::MlsMessage>()},
      {"public_message_commit", struct_trip<mls::MlsMessage>()},
      {"private_message", struct_trip<mls::MlsMessage>()},
  };
  return t;
}

}  // namespace

TEST_CASE("every message of the interop vectors decodes and re-encodes to the same bytes",
          "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/messages.json");
  REQUIRE(vectors.size() == 10);
  for (const auto& v : vectors) {
    REQUIRE(v.size() == trips().size());
    for (const auto& [field, trip] : trips()) {
      CAPTURE(field);
      const mls::Bytes bytes = hex(v[field]);
      CHECK(mls::to_hex(trip(bytes)) == mls::to_hex(bytes));
    }
  }
}

TEST_CASE("mutated and truncated messages give decode errors, never crashes", "[mls][robustness]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/messages.json");
  dmlssim::sim::RandomStream rng(1, 0, "mls/mutations");
  std::size_t rejected = 0, accepted = 0;
  for (int round = 0; round < 4000; ++round) {
    const auto& v = vectors[rng.uniform_index(vectors.size())];
    auto it = trips().begin();
    std::advance(it, static_cast<long>(rng.uniform_index(trips().size())));
    mls::Bytes bytes = hex(v[it->first]);
    switch (rng.uniform_index(3)) {
      case 0:  // truncate
        bytes.resize(rng.uniform_index(bytes.size() + 1));
        break;
      case 1:  // flip bytes
        for (int i = 0; i < 3 && !bytes.empty(); ++i) {
          bytes[rng.uniform_index(bytes.size())] ^=
              static_cast<std::uint8_t>(1 + rng.uniform_index(255));
        }
        break;
      default:  // insert garbage
        bytes.insert(bytes.begin() + static_cast<long>(rng.uniform_index(bytes.size() + 1)),
                     static_cast<std::uint8_t>(rng.uniform_index(256)));
        break;
    }
    try {
      const mls::Bytes again = it->second(bytes);
      // Whatever decodes must encode back to the same bytes (the codec is canonical).
      CHECK(again == bytes);
      ++accepted;
    } catch (const mls::DecodeError&) {
      ++rejected;
    }
  }
  CHECK(rejected > 1000);
  CHECK(accepted + rejected == 4000);
}
