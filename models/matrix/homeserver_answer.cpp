// The requests of a Homeserver, kind by kind: how it answers each when asked (the responder) and
// what it does with the answer (the requester). See federation_api.hpp and homeserver.hpp.
#include <algorithm>

#include "models/matrix/federation.hpp"
#include "models/matrix/homeserver.hpp"

namespace dmlssim::models::matrix {

// --- shared by every completion ---

void Homeserver::request_finished(sim::NodeId d, RequestKind kind, bool ok) {
  signals().request_done(node(), d, kind, ok);
  if (!ok) return backoff_failed(d);
  if (!backoff_succeeded(d)) return;
  // "Remote server up": wake a destination in catch-up now rather than at the next wake-up.
  if (destination(d).catching_up && kind != RequestKind::kSend) {
    after<&Homeserver::try_send>({}, this, d);
  }
}

// --- PUT /send ---

void Homeserver::answer(std::uint32_t exchange, sim::NodeId origin, SendTransaction& request) {
  for (const ToDevice& edu : request.edus)
    signals().to_device_received(node(), origin, edu);
  const std::uint64_t serial = federation_.serial(exchange);
  for (const EventIndex e : request.pdus) {
    if (status(e) >= EventStatus::kAccepted) continue;
    Inbound in;
    in.event = e;
    in.origin = origin;
    in.transaction = exchange;
    in.transaction_serial = serial;
    inbound_.push_back(std::move(in));
    ++request.unprocessed;
  }
  if (request.unprocessed == 0) {
    federation_.respond(exchange, 0);
  } else {
    schedule_inbound();
  }
}

void Homeserver::on_answer(sim::NodeId d, SendTransaction& request, bool ok) {
  request_finished(d, RequestKind::kSend, ok);
  Destination& dest = destination(d);
  dest.in_flight = false;
  if (ok && !request.edus.empty()) {
    // Delivered: they leave the outbox (they were its first entries, nothing was removed since).
    auto& out = to_device_out_.at(d);
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(request.edus.size()));
    if (out.empty()) to_device_out_.erase(d);
  }
  if (ok) {
    if (dest.catching_up) {
      // Caught up: everything logged so far is behind it (the destination pulls what it lacks).
      dest.catching_up = false;
      dest.cursor = static_cast<std::uint32_t>(outbound_.size());
    } else {
      dest.cursor = request.log_end;
    }
    try_send(d);
  } else {
    // Synapse drops what was queued and catches up later with the latest event.
    dest.catching_up = true;
    schedule_wakeup();
  }
}

// --- POST /get_missing_events ---

void Homeserver::answer(std::uint32_t exchange, sim::NodeId, GetMissingEvents& request) {
  // Synapse: walk back from the latest events' prev_events, never past (or into) the earliest
  // events.
  std::vector<EventIndex> start;
  for (const EventIndex e : request.latest) {
    const auto& prev = room().store()[e].prev_events;
    start.insert(start.end(), prev.begin(), prev.end());
  }
  std::vector<EventIndex> blocked = request.earliest;
  blocked.insert(blocked.end(), request.latest.begin(), request.latest.end());
  request.events = walk_back(start, blocked, config().missing_events_limit);
  federation_.respond(exchange, federation_.send_pdus(request.events));
}

void Homeserver::on_answer(sim::NodeId d, GetMissingEvents& request, bool ok) {
  request_finished(d, RequestKind::kMissingEvents, ok);
  Inbound& in = inbound_.front();
  if (ok) {
    std::vector<EventIndex> pulled = std::move(request.events);
    const EventStore& store = room().store();
    std::sort(pulled.begin(), pulled.end(), [&](EventIndex a, EventIndex b) {
      const auto da = store[a].depth, db = store[b].depth;
      return da != db ? da < db : a < b;
    });
    in.pulled = std::move(pulled);
    in.next_pulled = 0;
  }
  process_inbound();
}

// --- GET /state_ids, then GET /event for what is unknown ---

void Homeserver::answer(std::uint32_t exchange, sim::NodeId, GetStateIds& request) {
  for (const EventIndex p : request.at) {
    if (status(p) < EventStatus::kAccepted) {
      request.state = nullptr;  // 404: not in this server's DAG
      return federation_.respond(exchange, 0);
    }
  }
  request.state = federation_.state_ids(request.at);
  federation_.respond(exchange, kEventIdBytes * static_cast<std::uint32_t>(request.state->size()));
}

void Homeserver::on_answer(sim::NodeId d, GetStateIds& request, bool ok) {
  ok = ok && request.state != nullptr;  // a 404 is a failure
  request_finished(d, RequestKind::kStateIds, ok);
  if (!ok) return finish_inbound();  // give the event up; it will come again
  GetEvents fetch;
  for (const EventIndex e : *request.state) {
    if (status(e) == EventStatus::kUnknown) fetch.ids.push_back(e);
  }
  if (fetch.ids.empty()) {
    inbound_.front().state_fetched_for = request.for_event;
    return process_inbound();
  }
  fetch.for_event = request.for_event;
  this->request(d, std::move(fetch));
}

void Homeserver::answer(std::uint32_t exchange, sim::NodeId, GetEvents& request) {
  std::uint32_t bytes = 0;
  for (const EventIndex e : request.ids) {
    bytes += kResponseOverhead +
             (status(e) != EventStatus::kUnknown ? federation_.send_pdu(e) : std::uint32_t{0});
  }
  federation_.respond(exchange, bytes);
}

void Homeserver::on_answer(sim::NodeId d, GetEvents& request, bool ok) {
  request_finished(d, RequestKind::kEvents, ok);
  if (!ok) return finish_inbound();
  for (const EventIndex e : request.ids) {
    if (status(e) == EventStatus::kUnknown) set_status(e, EventStatus::kOutlier);
  }
  inbound_.front().state_fetched_for = request.for_event;
  process_inbound();
}

// --- GET /backfill ---

void Homeserver::answer(std::uint32_t exchange, sim::NodeId, Backfill& request) {
  request.events = walk_back(request.from, {}, config().backfill_limit);  // `from` included
  federation_.respond(exchange, federation_.send_pdus(request.events));
}

void Homeserver::on_answer(sim::NodeId d, Backfill& request, bool ok) {
  request_finished(d, RequestKind::kBackfill, ok);
  backfilling_ = false;
  bool progress = false;
  if (ok) {
    std::vector<EventIndex> got = std::move(request.events);
    std::sort(got.begin(), got.end());  // parents first
    for (const EventIndex e : got) {
      if (status(e) >= EventStatus::kAccepted) continue;
      admit(e, Arrival::kBackfilled);
      progress = true;
    }
  }
  if (gaps_.empty()) return;
  if (progress) return backfill();
  // Nothing new from this peer: ask the next server in the room after a wake-up period.
  const std::vector<sim::NodeId>& hosts = federation_.joined_servers(current_);
  const auto next = std::upper_bound(hosts.begin(), hosts.end(), d);
  backfill_peer_ = next != hosts.end() ? *next : (hosts.empty() ? node() : hosts.front());
  if (backfill_peer_ == node() && hosts.size() > 1) {
    const auto after_self = std::upper_bound(hosts.begin(), hosts.end(), node());
    backfill_peer_ = after_self != hosts.end() ? *after_self : hosts.front();
  }
  backfill_scheduled_ = true;
  after<&Homeserver::backfill_timer>(config().catchup_wakeup_period, this);
}

// --- probes ---

void Homeserver::answer(std::uint32_t exchange, sim::NodeId, Probe&) {
  federation_.respond(exchange, 0);
}

// --- POST /user/keys/claim ---

void Homeserver::answer(std::uint32_t exchange, sim::NodeId, ClaimKeys& request) {
  request.answer_bytes = federation_.claim_keys_at(node(), request.id);
  federation_.respond(exchange, request.answer_bytes);
}

void Homeserver::on_answer(sim::NodeId d, ClaimKeys& request, bool ok) {
  request_finished(d, RequestKind::kClaimKeys, ok);
  signals().keys_claimed(node(), d, request.id, ok);
}

// --- GET /federation/v1/media/download ---

void Homeserver::answer(std::uint32_t exchange, sim::NodeId, DownloadMedia& request) {
  request.answer_bytes = federation_.media_at(node(), request.id);
  federation_.respond(exchange, request.answer_bytes + kMultipartOverhead);
}

void Homeserver::on_answer(sim::NodeId d, DownloadMedia& request, bool ok) {
  // A 404 is an answer: the destination is up (its back-off ends), but no file came.
  request_finished(d, RequestKind::kMediaDownload, ok);
  signals().media_downloaded(node(), d, request.id, ok && request.answer_bytes != 0);
}

void Homeserver::on_answer(sim::NodeId d, Probe&, bool ok) {
  request_finished(d, RequestKind::kProbe, ok);
}

}  // namespace dmlssim::models::matrix
