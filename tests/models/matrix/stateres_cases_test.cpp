// The shared state-resolution test vectors (../shared/testvectors/stateres/cases.json) and the
// loader's handling of malformed documents.
#include <catch2/catch.hpp>

#include <fstream>

#include "models/matrix/stateres_cases.hpp"
#include "tests/models/matrix/random_room.hpp"

namespace mx = dmlssim::models::matrix;
using nlohmann::json;

namespace {

json shared_cases() {
  std::ifstream in(std::string(DMLSSIM_VECTORS_DIR) + "/stateres/cases.json");
  REQUIRE(in.good());
  return json::parse(in);
}

std::string error_of(const json& document) {
  try {
    mx::evaluate_cases(document);
  } catch (const mx::CaseFormatError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("all shared state-resolution cases pass", "[matrix][stateres][vectors]") {
  const json document = shared_cases();
  REQUIRE(document["cases"].size() == 17);
  for (const auto policy :
       {mx::RejectedEventPolicy::kReauthorise, mx::RejectedEventPolicy::kSkip}) {
    for (const auto closure : {mx::PowerClosure::kAuthChain, mx::PowerClosure::kConflictedPaths}) {
      for (const auto chain :
           {mx::AuthChainConvention::kExcludeSelf, mx::AuthChainConvention::kIncludeSelf}) {
        const auto results = mx::evaluate_cases(document, std::nullopt, {policy, closure, chain});
        REQUIRE(results.size() == 17);
        for (const auto& r : results) {
          CAPTURE(r.name);
          for (const auto& check : r.checks) {
            CAPTURE(check.what, check.detail);
            CHECK(check.passed);
          }
          CHECK(r.passed());
        }
      }
    }
  }
}

TEST_CASE("the cases check both algorithms against their references",
          "[matrix][stateres][vectors]") {
  const auto results =
      mx::evaluate_cases(shared_cases(), "synapse/v21_state_reset_replay_conflicted_subgraph");
  REQUIRE(results.size() == 1);
  REQUIRE(results[0].checks.size() == 3);  // expected, reference v2, reference v2.1
  // MSC4297 problem B: v2.1 keeps PL = E8.
  bool found = false;
  for (const auto& entry : results[0].output) {
    if (entry[0] == "m.room.power_levels") {
      CHECK(entry[2] == "$E8:example.com");
      found = true;
    }
  }
  CHECK(found);
}

TEST_CASE("a wrong expectation fails with the difference named", "[matrix][stateres][vectors]") {
  json document = shared_cases();
  for (json& c : document["cases"]) {
    if (c["name"] == "synapse/test_v2/topic_reset") {
      for (json& entry : c["expected"]["state"]) {
        if (entry[0] == "m.room.topic") entry[2] = "$T2:example.com";  // the banned user's topic
      }
    }
    if (c["name"] == "synapse/lexicographical_topological_sort_simple") {
      c["expected_order"] = {"o", "n", "l", "m", "p"};
    }
  }
  const auto results = mx::evaluate_cases(document);
  std::size_t failed = 0;
  for (const auto& r : results) {
    if (r.passed()) continue;
    ++failed;
    if (r.name == "synapse/test_v2/topic_reset") {
      CHECK(r.checks[0].detail.find("got $T1:example.com, expected $T2:example.com") !=
            std::string::npos);
    }
  }
  CHECK(failed == 2);
}

TEST_CASE("malformed case documents name the case and the field", "[matrix][stateres]") {
  const json good = shared_cases();
  json d = good;
  d["format"] = "other";
  CHECK(error_of(d).find("'format'") != std::string::npos);
  d = good;
  d["cases"][0]["events"][2].erase("sender");
  CHECK(error_of(d) == "case 'synapse/test_v2/ban_vs_pl': field 'events[2].sender': missing");
  d = good;
  d["cases"][0]["events"][3]["colour"] = "red";
  CHECK(error_of(d) == "case 'synapse/test_v2/ban_vs_pl': field 'events[3].colour': unknown key");
  d = good;
  d["cases"][0]["room_version"] = "1";
  CHECK(error_of(d).find("field 'room_version': unknown or unsupported room version 1") !=
        std::string::npos);
  d = good;
  d["cases"][0]["events"][4]["auth_events"] = {"$NOPE:example.com"};
  CHECK(error_of(d).find("auth event $NOPE:example.com is not stored before it") !=
        std::string::npos);
  d = good;
  d["cases"][0]["kind"] = "magic";
  CHECK(error_of(d).find("field 'kind': unknown kind \"magic\"") != std::string::npos);
  d = good;
  d["cases"][10]["graph"]["o"] = {"l"};  // a cycle
  CHECK(error_of(d).find("cycle") != std::string::npos);
  CHECK_THROWS_AS(mx::evaluate_cases(good, std::string("no/such/case")), mx::CaseFormatError);
}

TEST_CASE("DAGs and resolutions the simulator builds round-trip through the cases format",
          "[matrix][stateres]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    dmlssim::testing::RandomRoom room(seed % 2 ? mx::room_v11() : mx::room_v12(), seed,
                                      {5, 3, 40, 0.1});
    auto& store = room.fixture().store();
    std::vector<mx::StateMap> states;
    std::vector<const mx::StateMap*> pointers;
    for (const auto t : room.tips())
      states.push_back(room.fixture().history().state_after(t));
    for (const auto& s : states)
      pointers.push_back(&s);
    mx::StateResolver resolver(store);
    const mx::StateMap result = resolver.resolve(pointers);
    json cases = json::array();
    cases.push_back(mx::dag_case(store, room.fixture().history(), "dag", "random room"));
    cases.push_back(mx::state_sets_case(store, pointers, result, "sets", "random tips"));
    const auto results = mx::evaluate_cases(mx::cases_document(cases));
    REQUIRE(results.size() == 2);
    CHECK(results[0].passed());
    CHECK(results[1].passed());
    CHECK(results[1].output == mx::state_to_json(store, result));
  }
}
