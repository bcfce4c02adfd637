#include "scenarios/matrix_part.hpp"

#include "scenarios/matrix_run.hpp"
#include "scenarios/matrix_section.hpp"

namespace dmlssim::scenarios {
namespace {

// A rate default in events per second: only 0 is declared (a rate other than 0 would need a unit).
std::string rate_default(double per_second) {
  return per_second == 0 ? "0" : number_default(per_second) + "/s";
}

}  // namespace

std::vector<ParamInfo> MatrixPart::params() const {
  // The model's defaults: RoomSetup, WorkloadConfig and FederationConfig (Synapse's values).
  const models::matrix::RoomSetup room;
  const models::matrix::WorkloadConfig workload;
  const models::matrix::FederationConfig f;
  return {
      {"room.version", "string", "12", "", "Room version of the simulated room: 10, 11 or 12."},
      {"room.state_resolution", "string", "spec", "",
       "spec: state resolution as the spec's text defines it | synapse: Synapse's choices where "
       "the two differ (rejected events, power-event closure, auth chains; docs/matrix.md)."},
      {"room.users_per_server", "integer", "3", "users",
       "Users on every server, @u0:sN..; u0 of each server never leaves (keeps it in the room)."},
      {"room.creator", "server", "s" + std::to_string(room.creator_server), "",
       "Server of the creating user @u0:<creator>."},
      {"room.join_rule", "string", room.join_rule, "",
       "public | invite | knock | restricted | ..."},
      {"room.admins", "integer", std::to_string(room.admins), "users",
       "Users @u1.. of the creator's server given power level 100."},
      {"room.moderators", "integer", std::to_string(room.moderators), "users",
       "The next users of the creator's server, given power level 50."},
      {"workload.messages", "rate per user | {per_user: rate} | {room: rate}",
       rate_default(workload.messages_per_user), "per user",
       "Messages: a rate per user (6/h, or {per_user: 6/h}; the room's rate grows with its users) "
       "or for the whole room ({room: 1/s}); each is sent by a random user their server sees as "
       "joined."},
      {"workload.topics", "rate", rate_default(workload.topics), "per room",
       "Topic changes by a random privileged user (creator, admin or moderator)."},
      {"workload.membership", "rate per user | {per_user: rate} | {room: rate}",
       rate_default(workload.membership_per_user), "per user",
       "A user other than u0 leaves, or rejoins if they had left: a rate per such user (1/h, or "
       "{per_user: 1/h}) or for the whole room ({room: 10/h})."},
      {"workload.invites", "rate", rate_default(workload.invites), "per room",
       "A random joined user invites a random user who is neither joined nor invited."},
      {"workload.kicks", "rate", rate_default(workload.kicks), "per room",
       "A privileged user kicks a random user."},
      {"workload.bans", "rate", rate_default(workload.bans), "per room",
       "A privileged user bans a random user, or unbans them if banned."},
      {"workload.power_levels", "rate", rate_default(workload.power_changes), "per room",
       "The creator or an admin toggles a random user between level 0 and 50."},
      {"workload.start", "duration", duration_default(workload.start, "s"), "time",
       "No action before this time."},
      {"workload.stop", "duration", "", "time", "No action from this time on (default: duration)."},
      {"workload.actions", "list", "", "",
       "Actions at given times, beside the random ones: {at: 40m, kick: \"@u5:s12\", by: "
       "\"@u0:s0\"}; also ban and unban (with by), leave and join (the user itself)."},
      {"federation.transaction_pdus", "integer", std::to_string(f.max_pdus_per_transaction), "PDUs",
       "Most PDUs in one transaction (PUT /send); one transaction in flight per destination."},
      {"federation.prev_events", "integer", std::to_string(f.max_prev_events), "events",
       "Forward extremities a new event cites (the deepest ones; Synapse: 10)."},
      {"federation.min_retry_interval", "duration", duration_default(f.min_retry_interval, "m"),
       "time", "Back-off after the first failed request to a destination (Synapse default)."},
      {"federation.retry_multiplier", "number", number_default(f.retry_multiplier), "",
       "Back-off growth per further failure, times U(retry_jitter_min, retry_jitter_max)."},
      {"federation.retry_jitter_min", "number", number_default(f.retry_jitter_low), "",
       "Lower end of the back-off jitter."},
      {"federation.retry_jitter_max", "number", number_default(f.retry_jitter_high), "",
       "Upper end of the back-off jitter."},
      {"federation.max_retry_interval", "duration", duration_default(f.max_retry_interval, "d"),
       "time", "Longest back-off."},
      {"federation.catchup_wakeup", "duration", duration_default(f.catchup_wakeup_period, "s"),
       "time", "How often a server wakes destinations that need catching up."},
      {"federation.catchup_stagger", "duration", duration_default(f.catchup_wakeup_stagger, "s"),
       "time", "Spacing between two destinations woken by one wake-up."},
      {"federation.missing_events_limit", "integer", std::to_string(f.missing_events_limit),
       "events", "Limit of POST /get_missing_events."},
      {"federation.backfill_limit", "integer", std::to_string(f.backfill_limit), "events",
       "Limit of one GET /backfill."},
      {"federation.backfill_delay", "duration", duration_default(f.backfill_delay, "s"), "time",
       "Wait before backfilling a gap left after fetching state."},
      {"federation.probe_interval", "duration", duration_default(f.probe_interval, "s"), "time",
       "A server backing off from a destination probes it this often; 0s: never (Synapse)."},
      {"federation.pdu_processing", "duration", duration_default(f.pdu_processing, "ms"), "time",
       "Time a server takes to check and persist one received PDU."},
  };
}

std::shared_ptr<const PartSetup> MatrixPart::read(const YamlReader& reader, const YAML::Node& root,
                                                  const Scenario& scenario) const {
  return read_matrix(reader, root, scenario);
}

std::unique_ptr<PartRun> MatrixPart::start(const RunContext& context,
                                           const PartSetup& setup) const {
  return std::make_unique<MatrixRun>(context, static_cast<const MatrixSetup&>(setup));
}

}  // namespace dmlssim::scenarios
