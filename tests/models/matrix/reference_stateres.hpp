// A deliberately plain state resolution for differential tests: string-keyed maps and sets, the
// spec's definitions (rooms/v2, rooms/v12) applied literally and without any of the production
// code's marks, memoisation or shortcuts. Only the authorization rules are shared.
#pragma once

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/matrix/auth_rules.hpp"
#include "models/matrix/state_map.hpp"

namespace dmlssim::testing {

namespace mx = models::matrix;

class ReferenceStateRes {
 public:
  using Key = std::pair<std::string, std::string>;
  using State = std::map<Key, std::string>;  // key -> event ID

  explicit ReferenceStateRes(const mx::EventStore& store) : store_(store) {}

  State to_state(const mx::StateMap& s) const {
    State out;
    for (const auto& entry : s)
      out[key_of(ev(store_[entry.event].event_id))] = store_[entry.event].event_id;
    return out;
  }

  // `include_self`: a state set's auth chain also holds the set's own events (Synapse).
  State resolve(const std::vector<State>& states, mx::StateResAlgorithm algorithm,
                bool include_self = false) const {
    // Unconflicted map and conflicted set.
    std::set<Key> keys;
    for (const State& s : states) {
      for (const auto& [k, v] : s)
        keys.insert(k);
    }
    State unconflicted;
    std::set<std::string> conflicted;
    for (const Key& k : keys) {
      std::set<std::string> values;
      bool everywhere = true;
      for (const State& s : states) {
        const auto it = s.find(k);
        if (it == s.end()) {
          everywhere = false;
        } else {
          values.insert(it->second);
        }
      }
      if (everywhere && values.size() == 1) {
        unconflicted[k] = *values.begin();
      } else {
        conflicted.insert(values.begin(), values.end());
      }
    }
    if (conflicted.empty()) return unconflicted;
    // Auth difference.
    std::vector<std::set<std::string>> chains;
    for (const State& s : states) {
      std::set<std::string> chain;
      for (const auto& [k, id] : s) {
        const std::set<std::string> c = auth_chain(id);
        chain.insert(c.begin(), c.end());
        if (include_self) chain.insert(id);
      }
      chains.push_back(chain);
    }
    std::set<std::string> full = conflicted;
    for (const auto& chain : chains) {
      for (const std::string& id : chain) {
        const bool everywhere = std::all_of(chains.begin(), chains.end(),
                                            [&](const auto& c) { return c.count(id) != 0; });
        if (!everywhere) full.insert(id);
      }
    }
    // v2.1: events on auth paths between conflicted events.
    if (algorithm == mx::StateResAlgorithm::kV2_1) {
      std::set<std::string> ancestors;
      for (const std::string& c : conflicted) {
        ancestors.insert(c);
        const auto chain = auth_chain(c);
        ancestors.insert(chain.begin(), chain.end());
      }
      for (const std::string& a : ancestors) {
        const auto chain = auth_chain(a);
        const bool descends = conflicted.count(a) != 0 ||
                              std::any_of(chain.begin(), chain.end(), [&](const std::string& x) {
                                return conflicted.count(x) != 0;
                              });
        if (descends) full.insert(a);
      }
    }
    // X: power events and their auth chains within the full conflicted set.
    std::set<std::string> x;
    for (const std::string& id : full) {
      if (!ev(id).is_power_event) continue;
      x.insert(id);
      for (const std::string& a : auth_chain(id)) {
        if (full.count(a) != 0) x.insert(a);
      }
    }
    // Kahn, smallest first by (-power, ts, id); an X-ancestor anywhere up the chain is an edge.
    std::vector<std::string> power_order;
    std::set<std::string> remaining = x;
    while (!remaining.empty()) {
      std::string best;
      for (const std::string& id : remaining) {
        const auto chain = auth_chain(id);
        const bool ready = std::none_of(chain.begin(), chain.end(), [&](const std::string& a) {
          return remaining.count(a) != 0;
        });
        if (ready && (best.empty() || power_less(id, best))) best = id;
      }
      power_order.push_back(best);
      remaining.erase(best);
    }
    State r = algorithm == mx::StateResAlgorithm::kV2 ? unconflicted : State{};
    iterative_auth_checks(r, power_order);
    // Mainline of the resolved power levels.
    std::vector<std::string> mainline;
    const Key pl_key{"m.room.power_levels", ""};
    for (std::string p = r.count(pl_key) ? r.at(pl_key) : ""; !p.empty(); p = pl_parent(p)) {
      mainline.push_back(p);
    }
    auto position = [&](const std::string& id) {
      for (std::string p = pl_parent(id); !p.empty(); p = pl_parent(p)) {
        const auto it = std::find(mainline.begin(), mainline.end(), p);
        if (it != mainline.end()) return static_cast<long>(it - mainline.begin());
      }
      return std::numeric_limits<long>::max();
    };
    std::vector<std::string> rest;
    for (const std::string& id : full) {
      if (x.count(id) == 0) rest.push_back(id);
    }
    std::sort(rest.begin(), rest.end(), [&](const std::string& a, const std::string& b) {
      const long pa = position(a), pb = position(b);
      if (pa != pb) return pa > pb;
      if (ev(a).origin_server_ts != ev(b).origin_server_ts) {
        return ev(a).origin_server_ts < ev(b).origin_server_ts;
      }
      return a < b;
    });
    iterative_auth_checks(r, rest);
    for (const auto& [k, v] : unconflicted)
      r[k] = v;
    return r;
  }

 private:
  const mx::Event& ev(const std::string& id) const { return store_[*store_.find(id)]; }
  static Key key_of(const mx::Event& e) { return {e.type, *e.state_key}; }

  std::set<std::string> auth_chain(const std::string& id) const {
    std::set<std::string> out;
    std::vector<std::string> todo{id};
    while (!todo.empty()) {
      const std::string cur = todo.back();
      todo.pop_back();
      for (const mx::EventIndex a : ev(cur).auth_events) {
        if (out.insert(store_[a].event_id).second) todo.push_back(store_[a].event_id);
      }
    }
    return out;
  }

  std::string pl_parent(const std::string& id) const {
    for (const mx::EventIndex a : ev(id).auth_events) {
      if (store_[a].type == "m.room.power_levels" && store_[a].state_key == "") {
        return store_[a].event_id;
      }
    }
    return "";
  }

  bool power_less(const std::string& a, const std::string& b) const {
    const mx::Event& x = ev(a);
    const mx::Event& y = ev(b);
    if (x.sender_power_for_sort != y.sender_power_for_sort) {
      return x.sender_power_for_sort > y.sender_power_for_sort;
    }
    if (x.origin_server_ts != y.origin_server_ts) return x.origin_server_ts < y.origin_server_ts;
    return a < b;
  }

  void iterative_auth_checks(State& r, const std::vector<std::string>& order) const {
    for (const std::string& id : order) {
      const mx::Event& e = ev(id);
      mx::AuthState state = mx::auth_state_from_auth_events(store_, e);
      const mx::AuthKeys keys = mx::auth_keys_for(store_, e);
      for (std::size_t i = 0; i < keys.count; ++i) {
        const mx::StateKey& k = store_.key(keys.keys[i]);
        const auto it = r.find({k.type, k.state_key});
        if (it != r.end()) {
          mx::assign_auth_slot(store_, e, keys.keys[i], *store_.find(it->second), state);
        }
      }
      if (mx::check_auth_rules(store_, e, state)) r[key_of(e)] = id;
    }
  }

  const mx::EventStore& store_;
};

}  // namespace dmlssim::testing
