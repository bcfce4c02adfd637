// State-resolution test cases in the "matrix-stateres-cases/1" format
// (../shared/testvectors/stateres/README.md): loading, evaluating, and writing DAGs and
// resolutions the simulator builds in the same format so other implementations can check them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/matrix/state_history.hpp"

namespace dmlssim::models::matrix {

// A malformed cases document. what() names the case and the field.
class CaseFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CaseCheck {
  std::string what;  // "expected", "reference_full_state v2", ...
  bool passed = false;
  std::string detail;  // on failure: what differed
};

struct CaseResult {
  std::string name;
  std::string kind;
  std::vector<CaseCheck> checks;
  // The computed answer in the format's own terms: a state as [[type, state_key, event_id], ...]
  // sorted by (type, state_key) (dag, state_sets), an ordered list (toposort) or a sorted set
  // (auth_difference, conflicted_subgraph).
  nlohmann::json output;
  bool passed() const;
};

struct CaseRunOptions {
  RejectedEventPolicy rejected = RejectedEventPolicy::kReauthorise;
  PowerClosure power_closure = PowerClosure::kAuthChain;
  AuthChainConvention auth_chain = AuthChainConvention::kExcludeSelf;
};

// Evaluates every case of `document` (or only the one named `only`; CaseFormatError if there is
// none). Each case with a `reference_full_state` is also checked under both v2 and v2.1.
std::vector<CaseResult> evaluate_cases(const nlohmann::json& document,
                                       const std::optional<std::string>& only = std::nullopt,
                                       const CaseRunOptions& options = {});

// The state as the format writes it: [[type, state_key, event_id], ...] sorted by key strings.
nlohmann::json state_to_json(const EventStore& store, const StateMap& state);

// One event in the format (federation field names).
nlohmann::json event_to_case_json(const EventStore& store, const Event& e);

// A `dag` case holding every event of `store` (or those marked in `include`, which must hold the
// prev and auth events of each marked event) whose expected result is the resolution of the
// states after all leaves (state_at null), compared exactly.
nlohmann::json dag_case(const EventStore& store, StateHistory& history, const std::string& name,
                        const std::string& story, const std::vector<bool>* include = nullptr);

// A `state_sets` case: one resolution of `states` with its result, with every event the
// resolution may read (the auth chains of all state events).
nlohmann::json state_sets_case(const EventStore& store, std::span<const StateMap* const> states,
                               const StateMap& result, const std::string& name,
                               const std::string& story);

// A document holding `cases`.
nlohmann::json cases_document(nlohmann::json cases);

}  // namespace dmlssim::models::matrix
