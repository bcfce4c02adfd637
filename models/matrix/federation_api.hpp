// The server-server requests one homeserver makes of another, as the federation protocol carries
// them: one struct per kind of request, holding what the requester asks, what it remembers to
// finish the exchange (marked "requester's"), and the answer. Each field means one thing for its
// kind. The flow of a kind reads in one direction: Homeserver::request_* opens it,
// Homeserver::answer(...) handles it at the destination, Homeserver::on_answer(...) completes it
// back at the requester (see homeserver.hpp).
//
// Sizes on the wire are modelled: an HTTP request line with headers and the X-Matrix
// authorization (kRequestOverhead), a JSON envelope for responses (kResponseOverhead), an event ID
// as it appears in a JSON list (kEventIdBytes), PDUs at their canonical-JSON size plus one byte.
#pragma once

#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

#include "models/matrix/event.hpp"

namespace dmlssim::models::matrix {

enum class RequestKind : std::uint8_t {
  kSend,
  kMissingEvents,
  kStateIds,
  kEvents,
  kBackfill,
  kProbe,
  kClaimKeys,
  kMediaDownload,
};
inline constexpr int kRequestKinds = 8;
// The kinds from here on belong to services an upper layer installs (Federation::enable_*):
// a plain room has none, and their traffic classes exist only once installed.
inline constexpr RequestKind kFirstServiceKind = RequestKind::kClaimKeys;
const char* to_string(RequestKind kind);

inline constexpr std::uint32_t kRequestOverhead = 300;
inline constexpr std::uint32_t kResponseOverhead = 200;
inline constexpr std::uint32_t kEventIdBytes = 48;

// An m.direct_to_device EDU carrying one message for one device of the destination. The
// federation carries its size; what it holds is the upper layer's, named by `id`.
struct ToDevice {
  std::uint32_t id = 0;
  std::uint32_t bytes = 0;  // its JSON size in the transaction
};

// PUT /send/{txnId}: up to 50 PDUs of the sender, in the order it sent them, and up to 100 EDUs.
struct SendTransaction {
  static constexpr RequestKind kKind = RequestKind::kSend;
  std::vector<EventIndex> pdus;
  std::vector<ToDevice> edus;
  std::uint32_t log_end = 0;      // requester's: its outbound log position once these are delivered
  std::uint32_t unprocessed = 0;  // destination's: PDUs of it still being processed
};

// POST /get_missing_events: events before `latest`, back to (not into) `earliest`, deepest first.
struct GetMissingEvents {
  static constexpr RequestKind kKind = RequestKind::kMissingEvents;
  std::vector<EventIndex> latest;    // the event whose prev events are missing
  std::vector<EventIndex> earliest;  // the requester's forward extremities
  std::vector<EventIndex> events;    // the answer
};

// GET /state_ids at the events `at`: the state after each and the auth chains of those state
// events, ascending. The requester's `for_event` is the inbound event waiting for that state.
struct GetStateIds {
  static constexpr RequestKind kKind = RequestKind::kStateIds;
  std::vector<EventIndex> at;
  EventIndex for_event = kNoEvent;                       // requester's
  std::shared_ptr<const std::vector<EventIndex>> state;  // the answer; null: not found (404)
};

// GET /event/{id} for each of `ids` (the state and auth events the requester lacks).
struct GetEvents {
  static constexpr RequestKind kKind = RequestKind::kEvents;
  std::vector<EventIndex> ids;
  EventIndex for_event = kNoEvent;  // requester's, as for GetStateIds
};

// GET /backfill from the events `from`: up to the limit of their ancestors, deepest first.
struct Backfill {
  static constexpr RequestKind kKind = RequestKind::kBackfill;
  std::vector<EventIndex> from;
  std::vector<EventIndex> events;  // the answer
};

// An optional probe of a destination a server is backing off from (not in Synapse).
struct Probe {
  static constexpr RequestKind kKind = RequestKind::kProbe;
};

// POST /user/keys/claim: one-time keys (MLS KeyPackages) of `devices` devices of the destination's
// users. The destination's key service (Federation::enable_key_claims) claims them when the
// request arrives; what was claimed is the upper layer's, named by `id`.
struct ClaimKeys {
  static constexpr RequestKind kKind = RequestKind::kClaimKeys;
  std::uint32_t id = 0;
  std::uint32_t devices = 0;
  std::uint32_t answer_bytes = 0;  // the destination's answer
};

// GET /_matrix/federation/v1/media/download/{mediaId} (Matrix 1.11, authenticated media): one
// file of the destination's media repository. The answer is multipart/mixed — a JSON metadata
// part and the file, binary. What the file is belongs to the upper layer's media service
// (Federation::enable_media), named by `id`.
// The multipart framing around the file: two boundaries, the part headers and the metadata
// part ("{}").
inline constexpr std::uint32_t kMultipartOverhead = 200;
struct DownloadMedia {
  static constexpr RequestKind kKind = RequestKind::kMediaDownload;
  std::uint32_t id = 0;
  std::uint32_t answer_bytes = 0;  // the destination's answer: the file (0: not found)
};

using FederationRequest = std::variant<SendTransaction, GetMissingEvents, GetStateIds, GetEvents,
                                       Backfill, Probe, ClaimKeys, DownloadMedia>;

}  // namespace dmlssim::models::matrix
