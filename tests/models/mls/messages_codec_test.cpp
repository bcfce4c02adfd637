// The MLS structs' codec: thousands of mutated and truncated messages of messages.json fed to
// every decoder (errors, never undefined behaviour; the ASan/UBSan build runs this too). The
// unmodified vectors round-trip in interop_vectors_test.cpp.
#include <catch2/catch.hpp>

#include <functional>
#include <map>

#include "models/mls/vectors/message_round_trips.hpp"
#include "models/mls/wire_messages.hpp"
#include "sim/random.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

using dmlssim::models::mls::vectors::message_round_trips;

TEST_CASE("mutated and truncated messages give decode errors, never crashes", "[mls][robustness]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/messages.json");
  dmlssim::sim::RandomStream rng(1, 0, "mls/mutations");
  std::size_t rejected = 0, accepted = 0;
  for (int round = 0; round < 4000; ++round) {
    const auto& v = vectors[rng.uniform_index(vectors.size())];
    auto it = message_round_trips().begin();
    std::advance(it, static_cast<long>(rng.uniform_index(message_round_trips().size())));
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
