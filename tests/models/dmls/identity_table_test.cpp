// Interned credential identities: ids in first-seen order, one id per content whatever object
// holds it, and an object changed in place after a look-up not taken for what it held.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/dmls/identity_table.hpp"

namespace dmls = dmlssim::models::dmls;
namespace mls = dmlssim::models::mls;

TEST_CASE("identities are interned by content, found again by object", "[dmls]") {
  dmls::IdentityTable table;
  mls::Bytes alice = mls::to_bytes("@alice:s1/D0");
  const mls::Bytes bob = mls::to_bytes("@bob:s2/D0");
  CHECK(table.id(alice) == 0);
  CHECK(table.id(bob) == 1);
  CHECK(table.id(alice) == 0);  // the same object again
  const mls::Bytes alice_copy = alice;
  CHECK(table.id(alice_copy) == 0);       // another object, the same content
  alice = mls::to_bytes("@carol:s3/D1");  // changed in place after its look-up
  CHECK(table.id(alice) == 2);
  CHECK(table.identity(2) == mls::to_bytes("@carol:s3/D1"));
  alice = bob;
  CHECK(table.id(alice) == 1);
  CHECK(table.size() == 3);
  // Many objects, each asked for twice: every id matches a plain first-seen numbering.
  std::vector<mls::Bytes> names;
  for (int i = 0; i < 300; ++i)
    names.push_back(mls::to_bytes("@u" + std::to_string(i % 150) + ":s/D0"));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 300; ++i)
      CHECK(table.id(names[i]) == static_cast<dmls::IdentityId>(3 + i % 150));
  }
}
