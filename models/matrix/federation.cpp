#include "models/matrix/federation.hpp"

#include <algorithm>

namespace dmlssim::models::matrix {
namespace {

constexpr std::uint64_t kResponseFlag = std::uint64_t{1} << 32;

}  // namespace

// Names in enumerator order (they appear in result tables).
const char* to_string(RequestKind kind) {
  static const char* const kNames[] = {"send",       "get_missing_events", "state_ids",
                                       "event",      "backfill",           "probe",
                                       "keys_claim", "media_download"};
  return kNames[static_cast<int>(kind)];
}

Federation::Federation(sim::Simulation& sim, sim::Network& network, RoomWorld& room,
                       FederationConfig config, std::uint64_t seed, std::uint64_t run,
                       RoomTransport* transport)
    : sim_(sim), network_(network), room_(room), config_(config), joined_(room) {
  if (transport == nullptr) {
    own_transport_ = std::make_unique<FullMeshTransport>(room_, joined_, destination_sets_);
    transport = own_transport_.get();
  }
  transport_ = transport;
  protocol_ = network_.add_protocol(
      "federation", [this](const sim::Message& m) { on_message(m); },
      [this](const sim::Message& m) { on_failure(m); });
  // Key claims and media get their classes when their services are installed: a plain room has
  // none.
  for (int k = 0; k < static_cast<int>(kFirstServiceKind); ++k) {
    class_of_[k] =
        network_.add_class(protocol_, std::string("fed_") + to_string(static_cast<RequestKind>(k)));
  }
  servers_.reserve(network.node_count());
  for (sim::NodeId s = 0; s < network.node_count(); ++s)
    servers_.push_back(std::make_unique<Homeserver>(*this, s, seed, run));
  network_.reachability().add_node_listener([this](sim::NodeId n, bool up) {
    if (up) {
      servers_[n]->on_restart();
    } else {
      servers_[n]->on_crash();
    }
  });
}

Federation::~Federation() = default;

void Federation::bootstrap() {
  const EventStore& store = room_.store();
  std::vector<std::uint8_t> cited(store.size(), 0);
  for (EventIndex e = 0; e < store.size(); ++e) {
    for (const EventIndex p : store[e].prev_events)
      cited[p] = 1;
  }
  std::vector<EventIndex> leaves;
  for (EventIndex e = 0; e < store.size(); ++e) {
    if (!cited[e]) leaves.push_back(e);
  }
  const SharedState state =
      std::make_shared<const StateMap>(room_.history().state_after_all(leaves));
  const EventStatusTable known = Homeserver::bootstrap_table(cited);
  for (auto& s : servers_)
    s->bootstrap(known, leaves, state);
}

std::shared_ptr<const std::vector<EventIndex>> Federation::state_ids(
    const std::vector<EventIndex>& at) {
  if (const auto it = state_ids_memo_.find(at); it != state_ids_memo_.end()) return it->second;
  std::vector<EventIndex> chain;
  for (const EventIndex p : at) {
    for (const StateEntry& entry : room_.history().state_after(p))
      chain.push_back(entry.event);
  }
  std::vector<bool> seen(room_.store().size(), false);
  for (const EventIndex e : chain)
    seen[e] = true;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    for (const EventIndex a : room_.store().auth_parents(chain[i])) {
      if (!seen[a]) {
        seen[a] = true;
        chain.push_back(a);
      }
    }
  }
  std::sort(chain.begin(), chain.end());
  if (state_ids_memo_.size() >= kStateIdsMemo) {
    state_ids_memo_.erase(state_ids_order_.front());
    state_ids_order_.pop_front();
  }
  state_ids_order_.push_back(at);
  auto answer = std::make_shared<const std::vector<EventIndex>>(std::move(chain));
  state_ids_memo_.emplace(at, answer);
  return answer;
}

std::uint32_t Federation::send_pdu(EventIndex e) {
  const std::uint16_t type = room_.type_id(e);
  if (pdus_by_type_.size() <= type) pdus_by_type_.resize(type + 1u);
  const std::uint32_t bytes = room_.pdu_bytes(e);
  ++pdus_by_type_[type].objects;
  pdus_by_type_[type].bytes += bytes;
  return bytes;
}

std::uint32_t Federation::send_pdus(const std::vector<EventIndex>& events) {
  std::uint32_t bytes = 0;
  for (const EventIndex e : events)
    bytes += send_pdu(e) + 1;
  return bytes;
}

std::uint32_t Federation::request_bytes(const FederationRequest& body) {
  struct Size {
    Federation& f;
    std::uint32_t operator()(const SendTransaction& r) const {
      std::uint32_t edus = 0;
      for (const ToDevice& edu : r.edus) {
        edus += edu.bytes + 1;
        ++f.to_device_edus_.objects;
        f.to_device_edus_.bytes += edu.bytes;
      }
      return kRequestOverhead + 60 + f.send_pdus(r.pdus) + edus;
    }
    std::uint32_t operator()(const GetMissingEvents& r) const {
      return kRequestOverhead + 100 +
             kEventIdBytes * static_cast<std::uint32_t>(r.latest.size() + r.earliest.size());
    }
    std::uint32_t operator()(const GetStateIds& r) const {
      return kRequestOverhead + kEventIdBytes * static_cast<std::uint32_t>(r.at.size());
    }
    std::uint32_t operator()(const GetEvents& r) const {  // one GET /event/{id} per event
      return kRequestOverhead * static_cast<std::uint32_t>(r.ids.size());
    }
    std::uint32_t operator()(const Backfill& r) const {
      return kRequestOverhead + kEventIdBytes * static_cast<std::uint32_t>(r.from.size());
    }
    std::uint32_t operator()(const Probe&) const { return kRequestOverhead; }
    std::uint32_t operator()(const ClaimKeys& r) const {
      return kRequestOverhead + kClaimBytesPerDevice * r.devices;
    }
    std::uint32_t operator()(const DownloadMedia&) const { return kRequestOverhead; }
  };
  return std::visit(Size{*this}, body);
}

void Federation::request(sim::NodeId from, sim::NodeId to, FederationRequest body) {
  std::uint32_t x;
  if (!free_exchanges_.empty()) {
    x = free_exchanges_.back();
    free_exchanges_.pop_back();
  } else {
    x = static_cast<std::uint32_t>(exchanges_.size());
    exchanges_.emplace_back();
  }
  Exchange& ex = exchanges_[x];
  ex.from = from;
  ex.to = to;
  ex.incarnation = network_.reachability().incarnation(from);
  ex.open = true;
  ex.serial = next_serial_++;
  ex.body = std::move(body);
  const std::uint32_t bytes = request_bytes(ex.body);
  const auto kind = static_cast<RequestKind>(ex.body.index());
  // The requester gives up if no answer came within twice the request timeout; a requester that
  // crashed meanwhile has forgotten the request. (Closing an exchange cancels its timeout, so a
  // timeout that runs is its exchange's; the capture stays within the queue's 16 inline bytes.)
  ex.timeout = sim_.schedule(network_.config().request_timeout * 2, [this, x] {
    Exchange& timed_out = exchanges_[x];
    if (!timed_out.open) return;
    if (network_.reachability().incarnation(timed_out.from) != timed_out.incarnation) {
      close(x);
    } else {
      complete(x, false);
    }
  });
  network_.send(from, to, bytes, class_of_[static_cast<int>(kind)], x);
}

void Federation::close(std::uint32_t x) {
  Exchange& ex = exchanges_[x];
  sim_.cancel(ex.timeout);
  ex.open = false;
  recycle(ex.body);
  ex.body = Probe{};
  free_exchanges_.push_back(x);
}

std::vector<EventIndex> Federation::take_pdu_list() {
  if (spare_pdu_lists_.empty()) return {};
  std::vector<EventIndex> list = std::move(spare_pdu_lists_.back());
  spare_pdu_lists_.pop_back();
  list.clear();
  return list;
}

void Federation::recycle(FederationRequest& body) {
  if (auto* txn = std::get_if<SendTransaction>(&body); txn && txn->pdus.capacity() != 0)
    spare_pdu_lists_.push_back(std::move(txn->pdus));
}

void Federation::respond(std::uint32_t x, std::uint32_t bytes) {
  const Exchange& ex = exchanges_[x];
  network_.send(ex.to, ex.from, kResponseOverhead + bytes,
                class_of_[static_cast<int>(ex.body.index())], x | kResponseFlag,
                sim::Leg::kResponse);
}

void Federation::transaction_pdu_done(std::uint32_t x, std::uint64_t serial) {
  Exchange& ex = exchanges_[x];
  if (!ex.open || ex.serial != serial) return;
  auto& txn = std::get<SendTransaction>(ex.body);
  if (--txn.unprocessed == 0) respond(x, 0);
}

void Federation::enable_key_claims(KeyClaimHandler handler) {
  if (key_claims_) throw std::logic_error("Federation: a key service is installed already");
  key_claims_ = std::move(handler);
  class_of_[static_cast<int>(RequestKind::kClaimKeys)] =
      network_.add_class(protocol_, std::string("fed_") + to_string(RequestKind::kClaimKeys));
}

void Federation::enable_media(MediaHandler handler) {
  if (media_) throw std::logic_error("Federation: a media service is installed already");
  media_ = std::move(handler);
  class_of_[static_cast<int>(RequestKind::kMediaDownload)] =
      network_.add_class(protocol_, std::string("fed_") + to_string(RequestKind::kMediaDownload));
}

std::uint32_t Federation::media_at(sim::NodeId server, std::uint32_t id) {
  const std::uint32_t bytes = media_ ? media_(server, id) : 0;
  if (bytes != 0) {
    ++media_sent_.objects;
    media_sent_.bytes += bytes;
  }
  return bytes;
}

void Federation::on_message(const sim::Message& m) {
  const auto x = static_cast<std::uint32_t>(m.payload & 0xffffffffu);
  if ((m.payload & kResponseFlag) != 0) {
    const Exchange& ex = exchanges_[x];
    if (ex.open && ex.incarnation == network_.reachability().incarnation(ex.from))
      complete(x, true);
    return;
  }
  Homeserver& at = *servers_[m.to];
  at.note_inbound_from(m.from);  // may open requests: look the exchange up after
  std::visit([&](auto& body) { at.answer(x, m.from, body); }, exchanges_[x].body);
}

void Federation::on_failure(const sim::Message& m) {
  // An answer that did not arrive is noticed by the requester's own timeout.
  if ((m.payload & kResponseFlag) != 0) return;
  const auto x = static_cast<std::uint32_t>(m.payload);
  const Exchange& ex = exchanges_[x];
  if (ex.open && ex.incarnation == network_.reachability().incarnation(ex.from)) complete(x, false);
}

void Federation::complete(std::uint32_t x, bool ok) {
  // The exchange is closed before the requester goes on (it may make new requests).
  const sim::NodeId from = exchanges_[x].from, to = exchanges_[x].to;
  FederationRequest body = std::move(exchanges_[x].body);
  close(x);
  std::visit([&](auto& b) { servers_[from]->on_answer(to, b, ok); }, body);
  recycle(body);
}

}  // namespace dmlssim::models::matrix
