// KeyPackages: the welcome vectors' package checks out; ours are signed correctly; tampering is
// caught with the right reason.
#include <catch2/catch.hpp>

#include "models/mls/key_package.hpp"
#include "models/mls/primitives.hpp"
#include "models/mls/wire_messages.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

TEST_CASE("the KeyPackage of the welcome vectors passes the checks", "[mls][vectors]") {
  const nlohmann::json vectors = dmlssim::testing::vector_file("mls/welcome.json");
  for (const auto& v : vectors) {
    const auto message = mls::decode_one<mls::MlsMessage>(hex(v["key_package"]), "key_package");
    const auto& kp = std::get<mls::KeyPackage>(message.body);
    CHECK(mls::check_key_package(mls::real_crypto(), kp) == mls::KeyPackageError::kNone);
  }
}

TEST_CASE("KeyPackages we make verify, round-trip and reject tampering", "[mls]") {
  mls::KeyPackageSecrets secrets;
  const mls::KeyPackage kp = mls::make_key_package(
      mls::real_crypto(), mls::to_bytes("@alice:a.example/DEV"), mls::Bytes(32, 1),
      mls::Bytes(32, 2), mls::Bytes(32, 3), {0, 1'000'000}, &secrets);
  CHECK(mls::check_key_package(mls::real_crypto(), kp) == mls::KeyPackageError::kNone);
  CHECK(mls::x25519_public_key(secrets.init_private_key) == kp.init_key);
  CHECK(mls::decode_one<mls::KeyPackage>(mls::encode_one(kp), "kp") == kp);
  CHECK(mls::key_package_ref(kp).size() == 32);
  mls::KeyPackage t = kp;
  t.leaf_node.credential.identity = mls::to_bytes("@mallory:m.example/DEV");
  CHECK(mls::check_key_package(mls::real_crypto(), t) == mls::KeyPackageError::kBadLeafSignature);
  t = kp;
  t.extensions.push_back({0xff00, mls::to_bytes("x")});
  CHECK(mls::check_key_package(mls::real_crypto(), t) == mls::KeyPackageError::kBadSignature);
  t = kp;
  t.cipher_suite = 3;
  CHECK(mls::check_key_package(mls::real_crypto(), t) ==
        mls::KeyPackageError::kUnsupportedCipherSuite);
  CHECK(std::string(mls::to_string(mls::KeyPackageError::kBadSignature)) == "bad_signature");
  // Same seeds, same package: the key material is reproducible.
  CHECK(mls::make_key_package(mls::real_crypto(), mls::to_bytes("@alice:a.example/DEV"),
                              mls::Bytes(32, 1), mls::Bytes(32, 2), mls::Bytes(32, 3),
                              {0, 1'000'000}) == kp);
}
