#include "models/dmls/retention.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace dmlssim::models::dmls {
namespace {

// Committers of every known epoch below each known epoch (any fork), from the records.
ByteSet committers_below(const EpochTree& tree, const Bytes& epoch,
                         const std::map<Bytes, std::vector<Bytes>, mls::BytesLess>& children) {
  ByteSet out;
  std::vector<Bytes> stack{epoch};
  while (!stack.empty()) {
    const Bytes e = stack.back();
    stack.pop_back();
    const auto c = children.find(e);
    if (c == children.end()) continue;
    for (const Bytes& child : c->second) {
      const Bytes& committer = tree.record(child).committer();
      if (!committer.empty()) out.insert(committer);
      stack.push_back(child);
    }
  }
  return out;
}

}  // namespace

const char* to_string(RetentionRule rule) {
  switch (rule) {
    case RetentionRule::kWindow:
      return "window";
    case RetentionRule::kUpstreamCommits:
      return "upstream_commits";
    case RetentionRule::kKeepEpochs:
      return "keep_epochs";
  }
  return "unknown";
}

std::optional<RetentionRule> retention_rule_from_string(std::string_view name) {
  for (const RetentionRule r :
       {RetentionRule::kWindow, RetentionRule::kUpstreamCommits, RetentionRule::kKeepEpochs}) {
    if (name == to_string(r)) return r;
  }
  return std::nullopt;
}

std::vector<Bytes> expired_epochs(const EpochTree& tree, const RetentionPolicy& policy) {
  if (policy.rule == RetentionRule::kWindow) {
    // Non-head epochs superseded at least `window` ago (from the tree's index: this runs at every
    // commit of every device).
    return tree.superseded_by(tree.now() - policy.window);
  }
  const std::vector<Bytes>& heads = tree.heads();
  const ByteSet head_set(heads.begin(), heads.end());
  std::vector<Bytes> held = tree.held_epochs();
  std::vector<Bytes> out;
  switch (policy.rule) {
    case RetentionRule::kWindow:
      break;  // answered above
    case RetentionRule::kUpstreamCommits: {
      std::map<Bytes, std::vector<Bytes>, mls::BytesLess> children;
      for (const Bytes& e : tree.known_epochs()) {
        const Bytes& parent = tree.record(e).parent();
        if (!parent.empty()) children[parent].push_back(e);
      }
      for (const Bytes& e : held) {
        if (head_set.count(e) != 0) continue;
        const ByteSet committed = committers_below(tree, e, children);
        const ByteSet members = member_identities(tree.group(e).public_state().tree);
        if (std::includes(committed.begin(), committed.end(), members.begin(), members.end(),
                          mls::BytesLess{})) {
          out.push_back(e);
        }
      }
      break;
    }
    case RetentionRule::kKeepEpochs: {
      ByteSet kept;
      for (const Bytes& head : heads) {
        Bytes e = head;
        for (std::size_t up = 0; up <= policy.keep && !e.empty(); ++up) {
          kept.insert(e);
          e = tree.record(e).parent();
        }
      }
      for (const Bytes& e : held) {
        if (kept.count(e) == 0) out.push_back(e);
      }
      break;
    }
  }
  return out;
}

std::vector<Bytes> apply_retention(EpochTree& tree, const RetentionPolicy& policy) {
  std::vector<Bytes> out = expired_epochs(tree, policy);
  for (const Bytes& e : out)
    tree.forget(e);
  return out;
}

}  // namespace dmlssim::models::dmls
