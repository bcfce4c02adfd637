#include "models/dmls/fork_choice.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace dmlssim::models::dmls {
namespace {

// The epochs from `from` up to the root, `from` first.
std::vector<Bytes> lineage(const EpochTree& tree, const Bytes& from) {
  std::vector<Bytes> out{from};
  while (!tree.record(out.back()).parent().empty())
    out.push_back(tree.record(out.back()).parent());
  return out;
}

// The two branches below the last common epoch of `a` and `b`, each from its first epoch after the
// common one down to the head (empty when that head is the common epoch itself).
std::pair<std::vector<Bytes>, std::vector<Bytes>> branches(const EpochTree& tree, const Bytes& a,
                                                           const Bytes& b) {
  std::vector<Bytes> la = lineage(tree, a), lb = lineage(tree, b);
  // Common suffix (towards the root).
  while (!la.empty() && !lb.empty() && la.back() == lb.back()) {
    la.pop_back();
    lb.pop_back();
  }
  std::reverse(la.begin(), la.end());
  std::reverse(lb.begin(), lb.end());
  return {la, lb};
}

int compare_bytes(const Bytes& x, const Bytes& y) {
  if (std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end())) return -1;
  if (std::lexicographical_compare(y.begin(), y.end(), x.begin(), x.end())) return 1;
  return 0;
}

}  // namespace

ForkRule confirmation_tag_rule() {
  return [](const EpochTree& tree, const Branch& a, const Branch& b) -> long {
    return compare_bytes(tree.record(a.front()).confirmation_tag(),
                         tree.record(b.front()).confirmation_tag());
  };
}

ForkRule transcript_hash_rule() {
  return [](const EpochTree& tree, const Branch& a, const Branch& b) -> long {
    return compare_bytes(tree.record(a.front()).confirmed_transcript_hash(),
                         tree.record(b.front()).confirmed_transcript_hash());
  };
}

ForkRule powers_rule(std::vector<std::string> powers, ServerOf server_of) {
  return [powers = std::move(powers), server_of = std::move(server_of)](
             const EpochTree& tree, const Branch& a, const Branch& b) -> long {
    const auto rank = [&](const Bytes& committer) {
      const auto it = std::find(powers.begin(), powers.end(), server_of(committer));
      return static_cast<std::size_t>(it - powers.begin());  // powers.size() when absent
    };
    const std::size_t ra = rank(tree.record(a.front()).committer());
    const std::size_t rb = rank(tree.record(b.front()).committer());
    return ra < rb ? 1 : ra > rb ? -1 : 0;
  };
}

ForkRule hub_rule(std::string hub, ServerOf server_of) {
  return [hub = std::move(hub), server_of = std::move(server_of)](
             const EpochTree& tree, const Branch& a, const Branch& b) -> long {
    const auto holds_hub = [&](const Branch& branch) {
      return std::any_of(branch.begin(), branch.end(), [&](const Bytes& e) {
        const Bytes& committer = tree.record(e).committer();
        return !committer.empty() && server_of(committer) == hub;
      });
    };
    return static_cast<long>(holds_hub(a)) - static_cast<long>(holds_hub(b));
  };
}

ForkRule larger_side_rule() {
  return [](const EpochTree& tree, const Branch& a, const Branch& b) -> long {
    const auto side = [&](const Branch& branch) {
      std::vector<IdentityId> members;  // ids of the tree's identity table: equal ids, equal names
      for (const Bytes& e : branch) {
        const auto& senders = tree.record(e).senders();
        members.insert(members.end(), senders.begin(), senders.end());
      }
      std::sort(members.begin(), members.end());
      return static_cast<long>(std::unique(members.begin(), members.end()) - members.begin());
    };
    return side(a) - side(b);
  };
}

ForkRule longer_chain_rule() {
  return [](const EpochTree&, const Branch& a, const Branch& b) -> long {
    return static_cast<long>(a.size()) - static_cast<long>(b.size());
  };
}

ForkRule recent_remove_rule() {
  return [](const EpochTree& tree, const Branch& a, const Branch& b) -> long {
    const auto latest = [&](const Branch& branch) {
      long best = -1;
      for (const Bytes& e : branch) {
        const EpochRecord& r = tree.record(e);
        if (r.removed() > 0) best = std::max(best, static_cast<long>(r.number()));
      }
      return best;
    };
    const long la = latest(a), lb = latest(b);
    return la > lb ? 1 : la < lb ? -1 : 0;
  };
}

std::string matrix_server_of(const Bytes& identity) {
  const std::string id(identity.begin(), identity.end());
  const std::size_t colon = id.find(':');
  if (colon == std::string::npos) return {};
  const std::size_t slash = id.find('/', colon);
  return id.substr(colon + 1, slash == std::string::npos ? std::string::npos : slash - colon - 1);
}

bool beats(const EpochTree& tree, const Bytes& a, const Bytes& b, const ForkChoice& choice) {
  if (a == b) return false;
  const auto [branch_a, branch_b] = branches(tree, a, b);
  // One is an ancestor of the other: the descendant carries the whole history.
  if (branch_a.empty() || branch_b.empty()) return branch_b.empty();
  long s = choice.rule(tree, branch_a, branch_b);
  if (s == 0) s = confirmation_tag_rule()(tree, branch_a, branch_b);
  if (s == 0) s = compare_bytes(a, b);  // identical tags: only a forged commit gets here
  return s > 0;
}

Bytes choose_fork(const EpochTree& tree, const std::vector<Bytes>& heads,
                  const ForkChoice& choice) {
  if (heads.empty()) throw std::invalid_argument("fork choice: no heads");
  Bytes winner = heads.front();
  static_cast<void>(tree.record(winner));  // known, or out_of_range
  for (std::size_t i = 1; i < heads.size(); ++i) {
    if (beats(tree, heads[i], winner, choice)) winner = heads[i];
  }
  return winner;
}

}  // namespace dmlssim::models::dmls
