#include "models/matrix/stateres_cases.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace dmlssim::models::matrix {
namespace {

constexpr const char* kFormat = "matrix-stateres-cases/1";

using json = nlohmann::json;

// Reads one case's fields with errors that name the case and the field path.
class Reader {
 public:
  Reader(std::string case_name) : case_(std::move(case_name)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw CaseFormatError("case '" + case_ + "': field '" + field + "': " + message);
  }
  const json& need(const json& object, const std::string& path, const char* key) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(path + key, "missing");
    return *it;
  }
  std::string string(const json& value, const std::string& field) const {
    if (!value.is_string()) fail(field, "expected a string, got " + std::string(value.type_name()));
    return value.get<std::string>();
  }
  std::vector<std::string> strings(const json& value, const std::string& field) const {
    if (!value.is_array()) fail(field, "expected a list of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
      out.push_back(string(value[i], field + "[" + std::to_string(i) + "]"));
    }
    return out;
  }
  void only_keys(const json& object, const std::string& path,
                 std::initializer_list<const char*> allowed) const {
    if (!object.is_object()) fail(path.empty() ? "(case)" : path, "expected an object");
    for (const auto& [key, value] : object.items()) {
      if (std::find_if(allowed.begin(), allowed.end(),
                       [&key](const char* a) { return key == a; }) == allowed.end()) {
        fail(path + key, "unknown key");
      }
    }
  }

 private:
  std::string case_;
};

using StateTriple = std::tuple<std::string, std::string, std::string>;

json triples_to_json(std::vector<StateTriple> triples) {
  std::sort(triples.begin(), triples.end());
  json out = json::array();
  for (const auto& [type, key, id] : triples) {
    out.push_back(json::array({type, key, id.empty() ? json(nullptr) : json(id)}));
  }
  return out;
}

// [[type, state_key, event_id-or-null], ...] as a map from key to ID ("" for null).
std::map<std::pair<std::string, std::string>, std::string> read_state(const Reader& r,
                                                                      const json& value,
                                                                      const std::string& field) {
  if (!value.is_array()) r.fail(field, "expected a list of [type, state_key, event_id]");
  std::map<std::pair<std::string, std::string>, std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    const json& entry = value[i];
    if (!entry.is_array() || entry.size() != 3) r.fail(at, "expected [type, state_key, event_id]");
    const std::string id = entry[2].is_null() ? "" : r.string(entry[2], at + "[2]");
    if (!out.emplace(std::make_pair(r.string(entry[0], at + "[0]"), r.string(entry[1], at + "[1]")),
                     id)
             .second) {
      r.fail(at, "key listed twice");
    }
  }
  return out;
}

using StateByKey = std::map<std::pair<std::string, std::string>, std::string>;

StateByKey state_by_key(const EventStore& store, const StateMap& state) {
  StateByKey out;
  for (const StateEntry& entry : state) {
    const StateKey& key = store.key(entry.key);
    out[{key.type, key.state_key}] = store[entry.event].event_id;
  }
  return out;
}

json by_key_to_json(const StateByKey& state) {
  std::vector<StateTriple> triples;
  for (const auto& [key, id] : state)
    triples.emplace_back(key.first, key.second, id);
  return triples_to_json(std::move(triples));
}

std::string describe_difference(const StateByKey& got, const StateByKey& want) {
  std::string out;
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& [k, v] : got)
    keys.insert(k);
  for (const auto& [k, v] : want)
    keys.insert(k);
  for (const auto& k : keys) {
    const auto g = got.find(k);
    const auto w = want.find(k);
    const std::string gv = g == got.end() || g->second.empty() ? "(absent)" : g->second;
    const std::string wv = w == want.end() || w->second.empty() ? "(absent)" : w->second;
    if (gv != wv) {
      if (!out.empty()) out += "; ";
      out += "(" + k.first + ", \"" + k.second + "\"): got " + gv + ", expected " + wv;
    }
  }
  return out;
}

CaseCheck compare_states(std::string what, const StateByKey& got, const StateByKey& want) {
  CaseCheck check{std::move(what), got == want, ""};
  if (!check.passed) check.detail = describe_difference(got, want);
  return check;
}

CaseCheck compare_sets(std::string what, std::vector<std::string> got,
                       std::vector<std::string> want) {
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  CaseCheck check{std::move(what), got == want, ""};
  if (!check.passed) check.detail = "got " + json(got).dump() + ", expected " + json(want).dump();
  return check;
}

// A case's events in a store of its room version (with the case's overrides).
struct LoadedRoom {
  RoomVersion version;
  std::unique_ptr<EventStore> store;
  std::optional<StateResAlgorithm> forced_algorithm;
};

void load_room(const Reader& r, const json& c, LoadedRoom& room) {
  const std::string version_id = r.string(r.need(c, "", "room_version"), "room_version");
  const RoomVersion* version = find_room_version(version_id);
  if (version == nullptr)
    r.fail("room_version", "unknown or unsupported room version " + version_id);
  room.version = *version;
  if (const auto it = c.find("create_event_implicit_in_auth_events"); it != c.end()) {
    if (!it->is_boolean()) r.fail("create_event_implicit_in_auth_events", "expected true or false");
    room.version.create_implicit_in_auth = it->get<bool>();
  }
  if (const auto it = c.find("state_res"); it != c.end()) {
    const std::string algorithm = r.string(*it, "state_res");
    if (algorithm == "v2") {
      room.forced_algorithm = StateResAlgorithm::kV2;
    } else if (algorithm == "v2.1") {
      room.forced_algorithm = StateResAlgorithm::kV2_1;
    } else {
      r.fail("state_res", "expected \"v2\" or \"v2.1\", got \"" + algorithm + "\"");
    }
  }
  room.store = std::make_unique<EventStore>(room.version);
  const json& events = r.need(c, "", "events");
  if (!events.is_array()) r.fail("events", "expected a list of events");
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string at = "events[" + std::to_string(i) + "].";
    const json& e = events[i];
    r.only_keys(e, at,
                {"event_id", "type", "state_key", "sender", "content", "origin_server_ts",
                 "prev_events", "auth_events", "rejected", "room_id", "depth", "hashes",
                 "signatures", "unsigned", "origin", "redacts"});
    EventSpec spec;
    spec.event_id = r.string(r.need(e, at, "event_id"), at + "event_id");
    spec.type = r.string(r.need(e, at, "type"), at + "type");
    if (e.contains("state_key")) spec.state_key = r.string(e["state_key"], at + "state_key");
    spec.sender = r.string(r.need(e, at, "sender"), at + "sender");
    spec.content = e.value("content", json::object());
    if (!spec.content.is_object()) r.fail(at + "content", "expected an object");
    const json& ts = r.need(e, at, "origin_server_ts");
    if (!ts.is_number_integer()) r.fail(at + "origin_server_ts", "expected an integer");
    spec.origin_server_ts = ts.get<std::int64_t>();
    if (e.contains("depth")) {
      if (!e["depth"].is_number_integer()) r.fail(at + "depth", "expected an integer");
      spec.depth = e["depth"].get<std::int64_t>();
    }
    spec.prev_events = r.strings(e.value("prev_events", json::array()), at + "prev_events");
    spec.auth_events = r.strings(e.value("auth_events", json::array()), at + "auth_events");
    if (e.contains("rejected")) {
      if (!e["rejected"].is_boolean()) r.fail(at + "rejected", "expected true or false");
      spec.rejected = e["rejected"].get<bool>();
    }
    try {
      room.store->add(spec);
    } catch (const std::invalid_argument& error) {
      r.fail(at + "event_id", error.what());
    }
  }
}

EventIndex event_named(const Reader& r, const EventStore& store, const json& value,
                       const std::string& field) {
  const std::string id = r.string(value, field);
  const auto found = store.find(id);
  if (!found) r.fail(field, "no event " + id + " in the case");
  return *found;
}

ResolutionOptions resolution_options(const LoadedRoom& room, const CaseRunOptions& options,
                                     std::optional<StateResAlgorithm> algorithm) {
  ResolutionOptions out;
  out.algorithm = algorithm ? algorithm : room.forced_algorithm;
  out.rejected = options.rejected;
  out.power_closure = options.power_closure;
  out.auth_chain = options.auth_chain;
  return out;
}

// The result of a dag case under one algorithm.
StateMap dag_result(const Reader& r, const json& c, const LoadedRoom& room,
                    const ResolutionOptions& options) {
  StateHistory history(*room.store, options);
  const json& state_at = r.need(c, "", "state_at");
  if (!state_at.is_null())
    return history.state_after(event_named(r, *room.store, state_at, "state_at"));
  std::vector<bool> cited(room.store->size(), false);
  for (EventIndex i = 0; i < room.store->size(); ++i) {
    for (const EventIndex p : (*room.store)[i].prev_events)
      cited[p] = true;
  }
  std::vector<EventIndex> leaves;
  for (EventIndex i = 0; i < room.store->size(); ++i) {
    if (!cited[i]) leaves.push_back(i);
  }
  return history.state_after_all(leaves);
}

StateMap state_sets_result(const Reader& r, const json& c, const LoadedRoom& room,
                           const ResolutionOptions& options) {
  const json& sets = r.need(c, "", "state_sets");
  if (!sets.is_array()) r.fail("state_sets", "expected a list of lists of event IDs");
  std::vector<StateMap> states(sets.size());
  for (std::size_t s = 0; s < sets.size(); ++s) {
    const std::string at = "state_sets[" + std::to_string(s) + "]";
    const std::vector<std::string> ids = r.strings(sets[s], at);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const EventIndex e =
          event_named(r, *room.store, json(ids[i]), at + "[" + std::to_string(i) + "]");
      const StateKeyId key = (*room.store)[e].key;
      if (key == kNoStateKey) r.fail(at, ids[i] + " is not a state event");
      if (state_lookup(states[s], key) != kNoEvent)
        r.fail(at, "two events for the key of " + ids[i]);
      state_set(states[s], key, e);
    }
  }
  std::vector<const StateMap*> pointers;
  for (const StateMap& s : states)
    pointers.push_back(&s);
  StateResolver resolver(*room.store);
  return resolver.resolve(pointers, options);
}

void evaluate_resolution(const Reader& r, const json& c, const std::string& kind,
                         const CaseRunOptions& run, CaseResult& result) {
  r.only_keys(c, "",
              {"name", "source", "story", "kind", "room_version", "room_id", "state_res",
               "create_event_implicit_in_auth_events", "events", "expected", "reference_full_state",
               "state_at", "dag_spec", "state_sets"});
  LoadedRoom room;
  load_room(r, c, room);
  auto compute = [&](std::optional<StateResAlgorithm> algorithm) {
    const ResolutionOptions options = resolution_options(room, run, algorithm);
    return kind == "dag" ? dag_result(r, c, room, options) : state_sets_result(r, c, room, options);
  };
  const StateMap resolved = compute(std::nullopt);
  const StateByKey got = state_by_key(*room.store, resolved);
  result.output = by_key_to_json(got);

  const json& expected = r.need(c, "", "expected");
  r.only_keys(expected, "expected.", {"match", "state", "relative_to"});
  const std::string match = r.string(r.need(expected, "expected.", "match"), "expected.match");
  const StateByKey want = read_state(r, r.need(expected, "expected.", "state"), "expected.state");
  if (match == "exact") {
    result.checks.push_back(compare_states("expected", got, want));
  } else if (match == "delta") {
    if (kind != "dag") r.fail("expected.match", "\"delta\" needs a dag case");
    const EventIndex base = event_named(
        r, *room.store, r.need(expected, "expected.", "relative_to"), "expected.relative_to");
    StateHistory history(*room.store, resolution_options(room, run, std::nullopt));
    const StateByKey before = state_by_key(*room.store, history.state_after(base));
    StateByKey kept;
    for (const auto& [key, id] : got) {
      const auto b = before.find(key);
      if (b == before.end() || b->second != id || want.count(key) != 0) kept[key] = id;
    }
    for (const auto& [key, id] : before) {
      if (got.count(key) == 0) kept[key] = "";  // removed by the resolution
    }
    for (const auto& [key, id] : want) {
      if (kept.count(key) == 0) kept[key] = got.count(key) ? got.at(key) : "";
    }
    result.checks.push_back(compare_states(
        "expected (delta from " + std::string((*room.store)[base].event_id) + ")", kept, want));
  } else {
    r.fail("expected.match", "expected \"exact\" or \"delta\", got \"" + match + "\"");
  }

  if (const auto it = c.find("reference_full_state"); it != c.end()) {
    r.only_keys(*it, "reference_full_state.", {"computed_by", "v2", "v2.1"});
    const std::pair<const char*, StateResAlgorithm> algorithms[] = {
        {"v2", StateResAlgorithm::kV2}, {"v2.1", StateResAlgorithm::kV2_1}};
    for (const auto& [name, algorithm] : algorithms) {
      if (!it->contains(name)) continue;
      const StateByKey reference =
          read_state(r, (*it)[name], std::string("reference_full_state.") + name);
      result.checks.push_back(compare_states(std::string("reference_full_state ") + name,
                                             state_by_key(*room.store, compute(algorithm)),
                                             reference));
    }
  }
}

// Builds a store of placeholder state events for an abstract auth graph (node -> auth parents),
// parents first; all senders, levels and timestamps equal, so order ties fall to the node ID.
std::unique_ptr<EventStore> graph_store(const Reader& r, const json& graph,
                                        const std::string& field) {
  if (!graph.is_object()) r.fail(field, "expected an object mapping node to its auth parents");
  std::map<std::string, std::vector<std::string>> parents;
  for (const auto& [node, list] : graph.items()) {
    parents[node] = r.strings(list, field + "." + node);
  }
  auto store = std::make_unique<EventStore>(*find_room_version("10"));
  std::set<std::string> added, on_path;
  // Depth-first, parents before children; iterative to survive long chains.
  for (const auto& [root, unused] : parents) {
    std::vector<std::pair<std::string, std::size_t>> stack{{root, 0}};
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (added.count(node) != 0) {
        stack.pop_back();
        continue;
      }
      on_path.insert(node);
      const auto pit = parents.find(node);
      if (pit == parents.end()) r.fail(field, "node " + node + " is cited but not listed");
      if (next < pit->second.size()) {
        const std::string parent = pit->second[next++];
        if (on_path.count(parent) != 0) r.fail(field, "cycle through " + parent);
        stack.emplace_back(parent, 0);
        continue;
      }
      EventSpec spec;
      spec.event_id = node;
      spec.type = "dmlssim.node";
      spec.state_key = node;
      spec.sender = "@node:example.com";
      spec.auth_events = pit->second;
      store->add(spec);
      added.insert(node);
      on_path.erase(node);
      stack.pop_back();
    }
  }
  return store;
}

std::vector<EventIndex> nodes_named(const Reader& r, const EventStore& store, const json& value,
                                    const std::string& field) {
  std::vector<EventIndex> out;
  const std::vector<std::string> names = r.strings(value, field);
  for (std::size_t i = 0; i < names.size(); ++i) {
    out.push_back(event_named(r, store, json(names[i]), field + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::vector<std::string> ids_of(const EventStore& store, const std::vector<EventIndex>& events) {
  std::vector<std::string> out;
  for (const EventIndex e : events)
    out.push_back(store[e].event_id);
  return out;
}

void evaluate_graph_case(const Reader& r, const json& c, const std::string& kind,
                         CaseResult& result) {
  if (kind == "toposort") {
    r.only_keys(c, "", {"name", "source", "kind", "graph", "tie_break", "expected_order"});
    const auto store = graph_store(r, r.need(c, "", "graph"), "graph");
    std::vector<EventIndex> all(store->size());
    for (EventIndex i = 0; i < store->size(); ++i)
      all[i] = i;
    StateResolver resolver(*store);
    const std::vector<std::string> order =
        ids_of(*store, resolver.reverse_topological_power_sort(all));
    const std::vector<std::string> want =
        r.strings(r.need(c, "", "expected_order"), "expected_order");
    result.output = order;
    CaseCheck check{"expected_order", order == want, ""};
    if (!check.passed)
      check.detail = "got " + json(order).dump() + ", expected " + json(want).dump();
    result.checks.push_back(check);
  } else if (kind == "auth_difference") {
    r.only_keys(c, "", {"name", "source", "kind", "auth_graph", "state_sets", "expected"});
    const auto store = graph_store(r, r.need(c, "", "auth_graph"), "auth_graph");
    const json& sets_json = r.need(c, "", "state_sets");
    if (!sets_json.is_array()) r.fail("state_sets", "expected a list of lists of node IDs");
    std::vector<std::vector<EventIndex>> sets;
    for (std::size_t s = 0; s < sets_json.size(); ++s) {
      sets.push_back(nodes_named(r, *store, sets_json[s], "state_sets[" + std::to_string(s) + "]"));
    }
    StateResolver resolver(*store);
    std::vector<std::string> got = ids_of(*store, resolver.auth_difference(sets, true));
    std::sort(got.begin(), got.end());
    result.output = got;
    result.checks.push_back(
        compare_sets("expected", got, r.strings(r.need(c, "", "expected"), "expected")));
  } else {
    r.only_keys(c, "", {"name", "source", "kind", "auth_graph", "conflicted", "expected_subgraph"});
    const auto store = graph_store(r, r.need(c, "", "auth_graph"), "auth_graph");
    const std::vector<EventIndex> conflicted =
        nodes_named(r, *store, r.need(c, "", "conflicted"), "conflicted");
    StateResolver resolver(*store);
    std::vector<std::string> got = ids_of(*store, resolver.conflicted_subgraph(conflicted));
    std::sort(got.begin(), got.end());
    result.output = got;
    result.checks.push_back(
        compare_sets("expected_subgraph", got,
                     r.strings(r.need(c, "", "expected_subgraph"), "expected_subgraph")));
  }
}

}  // namespace

bool CaseResult::passed() const {
  return !checks.empty() &&
         std::all_of(checks.begin(), checks.end(), [](const CaseCheck& c) { return c.passed; });
}

std::vector<CaseResult> evaluate_cases(const json& document, const std::optional<std::string>& only,
                                       const CaseRunOptions& options) {
  if (!document.is_object()) throw CaseFormatError("top level: expected an object");
  const auto format = document.find("format");
  if (format == document.end() || *format != kFormat) {
    throw CaseFormatError(std::string("top level: field 'format': expected \"") + kFormat + "\"");
  }
  const auto cases = document.find("cases");
  if (cases == document.end() || !cases->is_array()) {
    throw CaseFormatError("top level: field 'cases': expected a list of cases");
  }
  for (const auto& [key, value] : document.items()) {
    if (key != "format" && key != "readme" && key != "cases") {
      throw CaseFormatError("top level: field '" + key + "': unknown key");
    }
  }
  std::vector<CaseResult> results;
  std::set<std::string> names;
  for (std::size_t i = 0; i < cases->size(); ++i) {
    const json& c = (*cases)[i];
    const std::string fallback = "#" + std::to_string(i);
    const std::string name = c.is_object() && c.contains("name") && c["name"].is_string()
                                 ? c["name"].get<std::string>()
                                 : fallback;
    const Reader r(name);
    if (!c.is_object()) r.fail("(case)", "expected an object");
    r.string(r.need(c, "", "name"), "name");
    if (!names.insert(name).second) r.fail("name", "two cases have this name");
    if (only && *only != name) continue;
    const std::string kind = r.string(r.need(c, "", "kind"), "kind");
    CaseResult result{name, kind, {}, json()};
    if (kind == "dag" || kind == "state_sets") {
      evaluate_resolution(r, c, kind, options, result);
    } else if (kind == "toposort" || kind == "auth_difference" || kind == "conflicted_subgraph") {
      evaluate_graph_case(r, c, kind, result);
    } else {
      r.fail("kind", "unknown kind \"" + kind +
                         "\" (dag, state_sets, toposort, auth_difference, conflicted_subgraph)");
    }
    results.push_back(std::move(result));
  }
  if (only && results.empty()) throw CaseFormatError("no case named '" + *only + "'");
  return results;
}

json state_to_json(const EventStore& store, const StateMap& state) {
  return by_key_to_json(state_by_key(store, state));
}

json event_to_case_json(const EventStore& store, const Event& e) {
  json out = {{"event_id", e.event_id},
              {"type", e.type},
              {"sender", e.sender},
              {"content", e.content},
              {"origin_server_ts", e.origin_server_ts},
              {"depth", e.depth}};
  if (e.state_key) out["state_key"] = *e.state_key;
  json prev = json::array();
  for (const EventIndex p : e.prev_events)
    prev.push_back(store[p].event_id);
  json auth = json::array();
  for (std::size_t i = 0; i < e.listed_auth_count(); ++i)
    auth.push_back(store[e.auth_events[i]].event_id);
  out["prev_events"] = std::move(prev);
  out["auth_events"] = std::move(auth);
  if (e.rejected) out["rejected"] = true;
  return out;
}

namespace {

json case_header(const EventStore& store, const std::string& name, const std::string& kind,
                 const std::string& story) {
  return json{{"name", name},
              {"source", "dmlssim"},
              {"story", story},
              {"kind", kind},
              {"room_version", std::string(store.version().id)},
              {"create_event_implicit_in_auth_events", store.version().create_implicit_in_auth}};
}

}  // namespace

json dag_case(const EventStore& store, StateHistory& history, const std::string& name,
              const std::string& story, const std::vector<bool>* include) {
  json c = case_header(store, name, "dag", story);
  json events = json::array();
  auto included = [&](EventIndex i) {
    return include == nullptr || (i < include->size() && (*include)[i]);
  };
  std::vector<bool> cited(store.size(), false);
  for (EventIndex i = 0; i < store.size(); ++i) {
    if (!included(i)) continue;
    events.push_back(event_to_case_json(store, store[i]));
    for (const EventIndex p : store[i].prev_events)
      cited[p] = true;
  }
  std::vector<EventIndex> leaves;
  for (EventIndex i = 0; i < store.size(); ++i) {
    if (included(i) && !cited[i]) leaves.push_back(i);
  }
  c["events"] = std::move(events);
  c["state_at"] = nullptr;
  c["expected"] = {{"match", "exact"},
                   {"state", state_to_json(store, history.state_after_all(leaves))}};
  return c;
}

json state_sets_case(const EventStore& store, std::span<const StateMap* const> states,
                     const StateMap& result, const std::string& name, const std::string& story) {
  json c = case_header(store, name, "state_sets", story);
  // Every event a resolution may read: the state events and their auth chains, parents first.
  std::vector<bool> needed(store.size(), false);
  std::vector<EventIndex> stack;
  for (const StateMap* state : states) {
    for (const StateEntry& entry : *state)
      stack.push_back(entry.event);
  }
  while (!stack.empty()) {
    const EventIndex e = stack.back();
    stack.pop_back();
    if (needed[e]) continue;
    needed[e] = true;
    for (const EventIndex a : store[e].auth_events)
      stack.push_back(a);
  }
  json events = json::array();
  for (EventIndex i = 0; i < store.size(); ++i) {
    if (!needed[i]) continue;
    json e = event_to_case_json(store, store[i]);
    // Prev events outside the case are dropped; the rest stay, because the creator's first join
    // is authorised by its prev event being the create event.
    json prev = json::array();
    for (const EventIndex p : store[i].prev_events) {
      if (needed[p]) prev.push_back(store[p].event_id);
    }
    e["prev_events"] = std::move(prev);
    events.push_back(std::move(e));
  }
  json sets = json::array();
  for (const StateMap* state : states) {
    json ids = json::array();
    for (const StateEntry& entry : *state)
      ids.push_back(store[entry.event].event_id);
    sets.push_back(std::move(ids));
  }
  c["events"] = std::move(events);
  c["state_sets"] = std::move(sets);
  c["expected"] = {{"match", "exact"}, {"state", state_to_json(store, result)}};
  return c;
}

json cases_document(json cases) {
  return json{{"format", kFormat},
              {"readme",
               "State-resolution cases written by dmlssim; format described in "
               "testvectors/stateres/README.md of the dmlssim shared references."},
              {"cases", std::move(cases)}};
}

}  // namespace dmlssim::models::matrix
