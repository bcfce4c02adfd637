#include "models/dmls/fork_choice.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace dmlssim::models::dmls {
namespace {

// The epochs from `from` up to the root, `from` first.
std::vector<Bytes> lineage(const EpochTree& tree, const Bytes& from) {
  std::vector<Bytes> out{from};
  while (!tree.record(out.back()).parent.empty())
    out.push_back(tree.record(out.back()).parent);
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

std::size_t power_rank(const ForkChoice& c, const Bytes& committer) {
  const auto it = std::find(c.powers.begin(), c.powers.end(), c.server_of(committer));
  return static_cast<std::size_t>(it - c.powers.begin());  // powers.size() when absent
}

// > 0 when branch a wins under the rule, < 0 when b does, 0 on a tie.
long score(const EpochTree& tree, const std::vector<Bytes>& a, const std::vector<Bytes>& b,
           const ForkChoice& c) {
  const EpochRecord& fa = tree.record(a.front());
  const EpochRecord& fb = tree.record(b.front());
  switch (c.rule) {
    case ForkRule::kConfirmationTag:
      return compare_bytes(fa.confirmation_tag, fb.confirmation_tag);
    case ForkRule::kTranscriptHash:
      return compare_bytes(fa.confirmed_transcript_hash, fb.confirmed_transcript_hash);
    case ForkRule::kPowers: {
      const std::size_t ra = power_rank(c, fa.committer), rb = power_rank(c, fb.committer);
      return ra < rb ? 1 : ra > rb ? -1 : 0;
    }
    case ForkRule::kHub: {
      const auto holds_hub = [&](const std::vector<Bytes>& branch) {
        return std::any_of(branch.begin(), branch.end(), [&](const Bytes& e) {
          const Bytes& committer = tree.record(e).committer;
          return !committer.empty() && c.server_of(committer) == c.hub;
        });
      };
      return static_cast<long>(holds_hub(a)) - static_cast<long>(holds_hub(b));
    }
    case ForkRule::kLargerSide: {
      const auto side = [&](const std::vector<Bytes>& branch) {
        Identities members;
        for (const Bytes& e : branch) {
          const auto& senders = tree.record(e).senders;
          members.insert(senders.begin(), senders.end());
        }
        return static_cast<long>(members.size());
      };
      return side(a) - side(b);
    }
    case ForkRule::kLongerChain:
      return static_cast<long>(a.size()) - static_cast<long>(b.size());
    case ForkRule::kRecentRemove: {
      const auto latest = [&](const std::vector<Bytes>& branch) {
        long best = -1;
        for (const Bytes& e : branch) {
          const EpochRecord& r = tree.record(e);
          if (r.removed > 0) best = std::max(best, static_cast<long>(r.number));
        }
        return best;
      };
      const long la = latest(a), lb = latest(b);
      return la > lb ? 1 : la < lb ? -1 : 0;
    }
  }
  return 0;
}

}  // namespace

const char* to_string(ForkRule rule) {
  switch (rule) {
    case ForkRule::kConfirmationTag:
      return "confirmation_tag";
    case ForkRule::kTranscriptHash:
      return "transcript_hash";
    case ForkRule::kPowers:
      return "powers";
    case ForkRule::kHub:
      return "hub";
    case ForkRule::kLargerSide:
      return "larger_side";
    case ForkRule::kLongerChain:
      return "longer_chain";
    case ForkRule::kRecentRemove:
      return "recent_remove";
  }
  return "unknown";
}

std::optional<ForkRule> fork_rule_from_string(std::string_view name) {
  for (const ForkRule r :
       {ForkRule::kConfirmationTag, ForkRule::kTranscriptHash, ForkRule::kPowers, ForkRule::kHub,
        ForkRule::kLargerSide, ForkRule::kLongerChain, ForkRule::kRecentRemove}) {
    if (name == to_string(r)) return r;
  }
  return std::nullopt;
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
  long s = score(tree, branch_a, branch_b, choice);
  if (s == 0 && choice.rule != ForkRule::kConfirmationTag) {
    s = score(tree, branch_a, branch_b, ForkChoice{});
  }
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
