// Group processing under hostile input: the passive-client vectors' Welcomes, proposals and
// commits, mutated and truncated thousands of times, fed to fresh copies of a joined member.
// Every input is either processed or refused with a typed GroupError (or DecodeError before it
// reaches the group): no other exception, no crash, no sanitizer report (the ASan/UBSan build
// runs this too), and a refused message leaves the member's state as it was.
#include <catch2/catch.hpp>

#include "models/mls/framing.hpp"
#include "models/mls/group.hpp"
#include "models/mls/tls_reader.hpp"
#include "sim/random.hpp"
#include "tests/models/mls/group_harness.hpp"
#include "tests/models/mls/vector_files.hpp"

namespace mls = dmlssim::models::mls;
using dmlssim::testing::hex;

namespace {

mls::Bytes mutate(mls::Bytes bytes, dmlssim::sim::RandomStream& rng) {
  switch (rng.uniform_index(3)) {
    case 0:
      bytes.resize(rng.uniform_index(bytes.size() + 1));
      break;
    case 1:
      for (int i = 0; i < 1 + static_cast<int>(rng.uniform_index(3)) && !bytes.empty(); ++i) {
        bytes[rng.uniform_index(bytes.size())] ^=
            static_cast<std::uint8_t>(1 + rng.uniform_index(255));
      }
      break;
    default:
      bytes.insert(bytes.begin() + static_cast<long>(rng.uniform_index(bytes.size() + 1)),
                   static_cast<std::uint8_t>(rng.uniform_index(256)));
      break;
  }
  return bytes;
}

struct Joined {
  mls::Group group;
  nlohmann::json vector;
};

mls::Group join(const nlohmann::json& v, const mls::Bytes& welcome_bytes) {
  mls::GroupConfig config;
  config.commit_before_send = false;
  mls::PskSources psks;
  for (const auto& p : v["external_psks"])
    psks.external[hex(p["psk_id"])] = hex(p["psk"]);
  const auto kp = mls::decode_one<mls::MlsMessage>(hex(v["key_package"]), "kp");
  const auto welcome = mls::decode_one<mls::MlsMessage>(welcome_bytes, "welcome");
  const auto* w = std::get_if<mls::Welcome>(&welcome.body);
  if (w == nullptr) throw mls::GroupError(mls::Rejection::kMalformed, "not a Welcome");
  const mls::KeyPackageSecrets secrets{hex(v["init_priv"]), hex(v["encryption_priv"]),
                                       hex(v["signature_priv"])};
  return mls::Group::join(config, *w, std::get<mls::KeyPackage>(kp.body), secrets, std::nullopt,
                          psks, mls::Drbg(mls::Bytes(32, 0)));
}

}  // namespace

TEST_CASE("mutated commits, proposals and Welcomes are refused with a typed reason",
          "[mls][robustness]") {
  const nlohmann::json file =
      dmlssim::testing::vector_file("mls/passive-client-handling-commit.json");
  dmlssim::sim::RandomStream rng(3, 0, "mls/group-mutations");
  std::map<mls::Rejection, int> reasons;
  int processed = 0, undecodable = 0, rounds = 0;
  for (const auto& v : file) {
    // The member as it stands before the last epoch (proposals are replayed into each copy).
    mls::Group base = join(v, hex(v["welcome"]));
    const auto& epochs = v["epochs"];
    for (std::size_t e = 0; e + 1 < epochs.size(); ++e)
      base.handle(mls::decode_one<mls::MlsMessage>(hex(epochs[e]["commit"]), "commit"));
    const auto& last = epochs.back();
    std::vector<mls::Bytes> inputs;
    for (const auto& p : last["proposals"])
      inputs.push_back(hex(p));
    inputs.push_back(hex(last["commit"]));
    for (int round = 0; round < 150; ++round, ++rounds) {
      mls::Group member = base;
      const std::size_t target = rng.uniform_index(inputs.size());
      const mls::Bytes before = member.epoch_authenticator();
      try {
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          const mls::Bytes bytes = i == target ? mutate(inputs[i], rng) : inputs[i];
          member.handle(mls::decode_one<mls::MlsMessage>(bytes, "input"));
        }
        ++processed;
      } catch (const mls::DecodeError&) {
        ++undecodable;
      } catch (const mls::GroupError& error) {
        ++reasons[error.reason()];
        CHECK(member.epoch_authenticator() == before);
      }
    }
    // Mutated Welcomes.
    for (int round = 0; round < 40; ++round, ++rounds) {
      try {
        join(v, mutate(hex(v["welcome"]), rng));
        ++processed;
      } catch (const mls::DecodeError&) {
        ++undecodable;
      } catch (const mls::GroupError& error) {
        ++reasons[error.reason()];
      }
    }
  }
  int refused = 0;
  for (const auto& [reason, count] : reasons) {
    UNSCOPED_INFO(mls::to_string(reason) << ": " << count);
    refused += count;
  }
  CHECK(processed + undecodable + refused == rounds);
  CHECK(rounds > 2000);
  CHECK(refused > rounds / 4);
  CHECK(reasons.size() >= 4);  // several distinct reasons, not one catch-all
  UNSCOPED_INFO("processed " << processed << ", undecodable " << undecodable);
}

namespace {

// A commit of `h`'s member `committer` with its Commit body mutated, re-signed and re-MACed as
// the committer (an insider), so that it passes framing and reaches the commit rules.
std::optional<mls::MlsMessage> resigned_mutation(dmlssim::testing::GroupHarness& h, int committer,
                                                 const mls::MlsMessage& valid,
                                                 dmlssim::sim::RandomStream& rng) {
  const auto& pub = std::get<mls::PublicMessage>(valid.body);
  mls::FramedContent content = pub.content;
  mls::Commit commit;
  try {
    commit = mls::decode_one<mls::Commit>(
        mutate(mls::encode_one(std::get<mls::Commit>(content.content)), rng), "commit");
  } catch (const mls::DecodeError&) {
    return std::nullopt;
  }
  content.content = commit;
  const mls::Group& g = h.group(committer);
  const mls::Bytes context = g.public_state().context_bytes;
  mls::Bytes signature =
      mls::sign_framed_content(*h.config().crypto, mls::WireFormat::kPublicMessage, content,
                               h.client(committer).secrets.signature_private_key, context);
  mls::MlsMessage out;
  out.body = mls::seal_public(*h.config().crypto, content, std::move(signature),
                              g.epoch_secrets().membership_key, context, pub.confirmation_tag);
  return out;
}

}  // namespace

TEST_CASE("an insider's malformed commits are refused by the commit rules", "[mls][robustness]") {
  mls::GroupConfig config;
  dmlssim::testing::GroupHarness h(config, 11);
  std::vector<int> ids;
  for (int i = 0; i < 8; ++i)
    ids.push_back(h.new_client());
  h.create(ids[0]);
  mls::CommitOptions add;
  for (int i = 1; i < 6; ++i)
    add.by_value.push_back(mls::Proposal{mls::AddProposal{h.client(ids[i]).key_package}});
  h.commit(ids[0], add, {ids[1], ids[2], ids[3], ids[4], ids[5]});
  REQUIRE(h.agree());
  dmlssim::sim::RandomStream rng(5, 0, "mls/insider-mutations");
  std::map<mls::Rejection, int> reasons;
  int undecodable = 0;
  for (int round = 0; round < 1000; ++round) {
    // A fresh valid commit of member 1: an Update of member 2 by reference, an Add, a Remove.
    dmlssim::testing::GroupHarness::Client& c1 = h.client(ids[1]);
    mls::Group committer = c1.group();
    mls::Group receiver = h.group(ids[3]);
    mls::Group updater = h.group(ids[2]);
    const mls::MlsMessage update = updater.propose_update();
    committer.handle(update);
    receiver.handle(update);
    mls::CommitOptions o;
    o.by_value = {mls::Proposal{mls::AddProposal{h.client(ids[6]).key_package}},
                  mls::Proposal{mls::RemoveProposal{h.group(ids[4]).own_leaf()}}};
    const mls::MlsMessage valid = committer.commit(o).commit;
    const auto attack = resigned_mutation(h, ids[1], valid, rng);
    if (!attack) {
      ++undecodable;
      continue;
    }
    const mls::Bytes before = receiver.epoch_authenticator();
    try {
      receiver.handle(*attack);
      FAIL("a mutated commit was accepted");
    } catch (const mls::GroupError& error) {
      ++reasons[error.reason()];
      CHECK(receiver.epoch_authenticator() == before);
    }
  }
  for (const auto& [reason, count] : reasons)
    UNSCOPED_INFO(mls::to_string(reason) << ": " << count);
  CHECK(reasons.size() >= 5);
  CHECK(undecodable < 800);
}
