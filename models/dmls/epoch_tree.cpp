#include "models/dmls/epoch_tree.hpp"

#include <algorithm>
#include <deque>
#include <numeric>
#include <stdexcept>

#include "models/dmls/key_schedule.hpp"
#include "models/mls/primitives.hpp"
#include "sim/prefetch.hpp"

namespace dmlssim::models::dmls {
namespace {

bool is_commit(const mls::MlsMessage& m) {
  if (const auto* pub = std::get_if<mls::PublicMessage>(&m.body)) {
    return pub->content.content_type() == mls::ContentType::kCommit;
  }
  const auto* priv = std::get_if<mls::PrivateMessage>(&m.body);
  return priv != nullptr && priv->content_type == mls::ContentType::kCommit;
}

TreeEvent undecryptable(const Bytes& epoch, Undecryptable cause,
                        mls::Rejection rejection = mls::Rejection::kMalformed) {
  TreeEvent e;
  e.kind = TreeEvent::Kind::kUndecryptable;
  e.epoch = epoch;
  e.cause = cause;
  e.rejection = rejection;
  return e;
}

TreeEvent refused(const Bytes& epoch, mls::Rejection r) {
  switch (r) {
    case mls::Rejection::kKeyConsumed:
      return undecryptable(epoch, Undecryptable::kKeyConsumed, r);
    case mls::Rejection::kKeyTooOld:
      return undecryptable(epoch, Undecryptable::kKeyTooOld, r);
    case mls::Rejection::kKeyTooFarAhead:
      return undecryptable(epoch, Undecryptable::kKeyTooFarAhead, r);
    default:
      return undecryptable(epoch, Undecryptable::kRejected, r);
  }
}

}  // namespace

const char* to_string(Undecryptable cause) {
  switch (cause) {
    case Undecryptable::kEpochDeleted:
      return "epoch_deleted";
    case Undecryptable::kEpochNeverReached:
      return "epoch_never_reached";
    case Undecryptable::kKeyConsumed:
      return "key_consumed";
    case Undecryptable::kKeyTooOld:
      return "key_too_old";
    case Undecryptable::kKeyTooFarAhead:
      return "key_too_far_ahead";
    case Undecryptable::kRejected:
      return "rejected";
  }
  return "unknown";
}

const std::vector<IdentityId>& EpochRecord::senders() const {
  static const std::vector<IdentityId> kNone;
  return senders_ ? *senders_ : kNone;
}

bool EpochRecord::note_sender(IdentityId id, TreeTables::SenderChanges& changes) {
  const std::vector<IdentityId>& now = senders();
  if (std::binary_search(now.begin(), now.end(), id)) return false;
  mls::change_list(senders_, changes, id,
                   [id](std::vector<IdentityId>& list) { insert_sorted(list, id); });
  return true;
}

Identities member_identities(const mls::RatchetTree& tree) {
  Identities out;
  for (mls::LeafIndex l = 0; l < tree.leaf_count(); ++l) {
    if (const mls::LeafNode* leaf = tree.leaf(l)) out.insert(leaf->credential.identity);
  }
  return out;
}

namespace {

const Bytes& identity_of(const mls::RatchetTree& tree, mls::LeafIndex leaf) {
  static const Bytes kNone;
  const mls::LeafNode* node = leaf < tree.leaf_count() ? tree.leaf(leaf) : nullptr;
  return node != nullptr ? node->credential.identity : kNone;
}

// An entry of the superseded index (none for an epoch never superseded).
std::optional<SupersededIndex::Entry> superseded_entry(const EpochRecord& record,
                                                       std::uint64_t created, const Bytes& id) {
  if (!record.superseded_at) return std::nullopt;
  return SupersededIndex::Entry{record.superseded_at->ns(), created, &id};
}

// The facts of an epoch as its group shows them (what a commit adds is the caller's).
EpochFacts facts_of(const mls::Group& group) {
  const mls::EpochPublic& pub = group.public_state();
  EpochFacts f;
  f.number = group.epoch();
  f.confirmation_tag = pub.confirmation_tag;
  f.confirmed_transcript_hash = pub.context.confirmed_transcript_hash;
  return f;
}

// The facts of the epoch `group` entered by a commit from `sender` on `parent` (held as
// `before`), from the trees before and after it.
EpochFacts commit_facts(const Bytes& parent, const mls::Group& group,
                        const mls::Group& before_group, const mls::Sender& sender) {
  EpochFacts f = facts_of(group);
  f.parent = parent;
  const mls::RatchetTree& before = before_group.public_state().tree;
  const mls::RatchetTree& after = group.public_state().tree;
  if (sender.type == mls::SenderType::kMember) f.committer = identity_of(before, sender.index);
  // Only the leaves the commit touched can differ: its removals, joiners, updates and the
  // committer's own leaf (all of them when the transition is unknown).
  std::vector<mls::LeafIndex> touched;
  if (const mls::CommitTransition* t = group.creating_transition()) {
    touched = t->removed;
    for (const auto& [leaf, package] : t->joiners)
      touched.push_back(leaf);
    touched.insert(touched.end(), t->updated.begin(), t->updated.end());
    touched.push_back(t->committer);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  } else {
    touched.resize(std::max(before.leaf_count(), after.leaf_count()));
    std::iota(touched.begin(), touched.end(), mls::LeafIndex{0});
  }
  for (const mls::LeafIndex l : touched) {
    const mls::LeafNode* was = l < before.leaf_count() ? before.leaf(l) : nullptr;
    const mls::LeafNode* is = l < after.leaf_count() ? after.leaf(l) : nullptr;
    if (was == is) continue;  // the same shared node: untouched by the commit
    const bool same =
        was != nullptr && is != nullptr && was->credential.identity == is->credential.identity;
    if (was != nullptr && !same) ++f.removed;
    if (is != nullptr && !same) ++f.added;
  }
  return f;
}

}  // namespace

EpochRecord EpochTree::root_record(const mls::Group& group) const {
  EpochRecord r;
  r.facts = std::make_shared<const EpochFacts>(facts_of(group));
  r.created_at = now_;
  return r;
}

EpochTree::EpochTree(const mls::CryptoProvider& crypto, mls::Group root,
                     std::shared_ptr<TreeTables> tables)
    : tables_(tables ? std::move(tables) : std::make_shared<TreeTables>()),
      crypto_(&crypto),
      root_(dmls_epoch_of(crypto, root.epoch_secrets())),
      index_(tables_->trees++),
      psk_anchor_(tables_->psk_anchor) {
  records_.emplace(root_, root_record(root));
  known_order_.push_back(&records_.find(root_)->first);
  look_up_merge_psks(root);
  emplace_node(root_, std::move(root));
}

EpochTree::Node& EpochTree::emplace_node(const Bytes& id, mls::Group group, EpochRecord* record,
                                         Nodes::value_type* parent_entry) {
  const auto it = epochs_.emplace(id, Node{nullptr, created_++, 0, std::move(group)}).first;
  Node& node = it->second;
  node.record = record != nullptr ? record : &records_.at(id);
  last_found_ = &*it;  // the epoch read next, most often
  // An epoch held before and forgotten may have held children still (rare: count them).
  if (forgotten_.count(id) != 0) {
    for (const auto& [other, n] : epochs_)
      node.held_children += n.record->parent() == id && other != id ? 1 : 0;
  }
  if (node.held_children == 0) {
    heads_.push_back(id);  // the newest epoch
  } else if (const auto entry = superseded_entry(*node.record, node.created, it->first)) {
    superseded_.insert(*entry);
  }
  if (parent_entry == nullptr) {
    const Bytes& parent = node.record->parent();
    const auto found = parent.empty() ? epochs_.end() : epochs_.find(parent);
    if (found != epochs_.end()) parent_entry = &*found;
  }
  if (parent_entry != nullptr && parent_entry->second.held_children++ == 0)
    becomes_inner(parent_entry->first, parent_entry->second);
  return node;
}

void EpochTree::becomes_inner(const Bytes& id, Node& node) {
  heads_.erase(std::find(heads_.begin(), heads_.end(), id));
  // Superseded: it is read little from now on, and retained maybe long.
  node.group.settle();
  settle_senders(id, *node.record);
  // Superseded now, so most often the index's last entry.
  if (const auto entry = superseded_entry(*node.record, node.created, id))
    superseded_.insert(*entry);
}

void EpochTree::settle_senders(const Bytes& id, EpochRecord& record) {
  if (record.senders_)
    record.senders_ = tables_->settled_senders[id].settle(std::move(record.senders_));
}

void EpochTree::note_sender(const Bytes& id, Node& node, const Bytes& identity) {
  if (node.record->note_sender(tables_->identities.id(identity), tables_->sender_changes) &&
      node.held_children > 0)
    settle_senders(id, *node.record);  // superseded: settled again after a late sender
}

void EpochTree::becomes_head(const Bytes& id, const Node& node) {
  if (const auto entry = superseded_entry(*node.record, node.created, id))
    superseded_.erase(*entry);
  insert_head(id, node.created);
}

void EpochTree::insert_head(const Bytes& id, std::uint64_t created) {
  const auto at = std::find_if(heads_.begin(), heads_.end(),
                               [&](const Bytes& h) { return epochs_.at(h).created > created; });
  heads_.insert(at, id);
}

std::vector<Bytes> EpochTree::superseded_by(sim::SimTime t) const {
  std::vector<std::pair<std::uint64_t, Bytes>> found;
  for (const SupersededIndex::Entry& e : superseded_) {
    if (e.superseded_ns > t.ns()) break;
    found.emplace_back(e.created, *e.id);
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });  // by creation
  std::vector<Bytes> out;
  for (auto& [created, id] : found)
    out.push_back(std::move(id));
  return out;
}

std::optional<sim::SimTime> EpochTree::earliest_superseded() const {
  if (superseded_.empty()) return std::nullopt;
  return sim::SimTime::from_ns(superseded_.front().superseded_ns);
}

void EpochTree::look_up_merge_psks(mls::Group& group) const {
  TreeTables& tables = *tables_;
  if (tables.psk_config && tables.psk_config_base == group.shared_config()) {
    group.share_config(tables.psk_config);  // made already for another group of that base
    return;
  }
  std::shared_ptr<const mls::GroupConfig> base = group.shared_config();
  group.set_psk_lookup([anchor = psk_anchor_](const Bytes& id) -> std::optional<Bytes> {
    std::optional<Bytes> psk = anchor->tree ? anchor->tree->merge_psk_of(id) : std::nullopt;
    if (!psk) anchor->missed.push_back(id);
    return psk;
  });
  tables.psk_config_base = std::move(base);
  tables.psk_config = group.shared_config();
}

std::optional<Bytes> EpochTree::merge_psk_of(const Bytes& epoch) const {
  const auto it = epochs_.find(epoch);
  if (it == epochs_.end()) return std::nullopt;
  return merge_psk(*crypto_, it->second.group.epoch_secrets());
}

Identities EpochTree::senders(const Bytes& epoch) const {
  Identities out;
  for (const IdentityId id : records_.at(epoch).senders())
    out.insert(tables_->identities.identity(id));
  return out;
}

const mls::Group& EpochTree::group(const Bytes& epoch) const {
  return epochs_.at(epoch).group;
}

EpochTree::ReadLines EpochTree::read_lines() const {
  if (last_found_ == nullptr) return {};
  const auto* group = reinterpret_cast<const char*>(&last_found_->second.group);
  return {last_found_, group + 2 * sim::kCacheLine, last_found_->second.record};
}

void EpochTree::prefetch() const {
  sim::prefetch_bytes(this, 2 * sim::kCacheLine);
}

Bytes EpochTree::parent(const Bytes& epoch) const {
  return epochs_.at(epoch).record->parent();
}

void EpochTree::set_now(sim::SimTime now) {
  if (now < now_) throw std::invalid_argument("epoch tree: time goes back");
  const double seconds = static_cast<double>((now - now_).ns()) / 1e9;  // exact for whole seconds
  const mls::Group::HeldBytes held = retained_beyond_rfc();
  exposure_.tree_private_keys += static_cast<double>(held.tree_private_keys) * seconds;
  exposure_.successor_init += static_cast<double>(held.successor_init) * seconds;
  exposure_.message_keys += static_cast<double>(held.message_keys) * seconds;
  now_ = now;
}

mls::Group::HeldBytes EpochTree::retained_by(const Node& node) {
  return node.record->superseded_at ? node.group.held_bytes() : mls::Group::HeldBytes{};
}

void EpochTree::move_retained(const mls::Group::HeldBytes& was, const mls::Group::HeldBytes& is) {
  retained_.tree_private_keys += is.tree_private_keys - was.tree_private_keys;
  retained_.successor_init += is.successor_init - was.successor_init;
  retained_.message_keys += is.message_keys - was.message_keys;
}

std::vector<Bytes> EpochTree::held_epochs() const {
  std::vector<Bytes> out;
  for (const Bytes* e : known_order_) {
    if (holds(*e)) out.push_back(*e);
  }
  return out;
}

std::vector<Bytes> EpochTree::known_epochs() const {
  std::vector<Bytes> out;
  out.reserve(known_order_.size());
  for (const Bytes* e : known_order_)
    out.push_back(*e);
  return out;
}

std::size_t EpochTree::buffered() const {
  std::size_t n = 0;
  for (const auto& [epoch, messages] : buffer_)
    n += messages.size();
  return n + psk_wait_.size();
}

void EpochTree::forget(const Bytes& epoch) {
  const auto it = epochs_.find(epoch);
  if (it == epochs_.end()) return;
  const Node& node = it->second;
  if (node.held_children == 0) {
    heads_.erase(std::find(heads_.begin(), heads_.end(), epoch));
  } else if (const auto entry = superseded_entry(*node.record, node.created, it->first)) {
    superseded_.erase(*entry);
  }
  const Bytes& parent_id = node.record->parent();
  const auto parent = parent_id.empty() ? epochs_.end() : epochs_.find(parent_id);
  if (parent != epochs_.end() && --parent->second.held_children == 0)
    becomes_head(parent->first, parent->second);
  move_retained(retained_by(node), {});  // its part goes with it
  last_found_ = nullptr;
  epochs_.erase(it);
  forgotten_.insert(epoch);
  pending_.erase(epoch);
}

TreeEvents EpochTree::give_up() {
  TreeEvents out;
  for (const auto& [epoch, messages] : buffer_) {
    for (std::size_t i = 0; i < messages.size(); ++i)
      out.push_back(undecryptable(epoch, Undecryptable::kEpochNeverReached));
  }
  buffer_.clear();
  psk_wait_.clear();  // commits, not in any reader's count
  return out;
}

DmlsMessage EpochTree::protect(const Bytes& epoch, const Bytes& application_data) {
  Node& node = epochs_.at(epoch);
  mls::Group& g = node.group;
  const Accounting accounting(*this, node);  // its sending ratchet moves
  DmlsMessage out{g.protect(application_data), epoch};
  note_sender(epoch, node, identity_of(g.public_state().tree, g.own_leaf()));
  return out;
}

EpochTree::OwnCommit EpochTree::commit(const Bytes& epoch, const mls::CommitOptions& options) {
  const Node& node = epochs_.at(epoch);
  const Accounting accounting(*this, node);  // the copy shares the epoch's successor-init state
  mls::Group copy = node.group;
  const LendPsks lend(*this);
  mls::CommitOutput out = copy.commit(options);
  pending_[epoch].push_back(Pending{mls::encode_one(out.commit), std::move(copy)});
  return OwnCommit{DmlsMessage{std::move(out.commit), epoch}, std::move(out.welcome),
                   std::move(out.group_info)};
}

TreeEvents EpochTree::join(const mls::GroupConfig& config, const mls::Welcome& welcome,
                           const mls::KeyPackage& key_package,
                           const mls::KeyPackageSecrets& secrets, mls::Drbg drbg) {
  return join(std::make_shared<const mls::GroupConfig>(config), welcome, key_package, secrets,
              std::move(drbg));
}

TreeEvents EpochTree::join(std::shared_ptr<const mls::GroupConfig> config,
                           const mls::Welcome& welcome, const mls::KeyPackage& key_package,
                           const mls::KeyPackageSecrets& secrets, mls::Drbg drbg) {
  mls::PskSources psks;
  for (const auto& [id, node] : epochs_)
    psks.external[id] = merge_psk(*crypto_, node.group.epoch_secrets());
  mls::Group group = mls::Group::join(std::move(config), welcome, key_package, secrets,
                                      std::nullopt, psks, std::move(drbg));
  TreeEvent joined;
  joined.kind = TreeEvent::Kind::kEpochCreated;
  const Bytes id = dmls_epoch_of(*crypto_, group.epoch_secrets());
  joined.child = id;
  if (!holds(id)) {
    records_[id] = root_record(group);
    known_order_.push_back(&records_.find(id)->first);
    look_up_merge_psks(group);
    emplace_node(id, std::move(group));
  }
  TreeEvents out{joined};
  release(out, {id});
  return out;
}

TreeEvents EpochTree::receive(const Held& message) {
  released_.clear();
  TreeEvents out;  // (returned as it is: most messages release nothing)
  handle(message, out);
  if (!released_.empty()) {
    std::vector<Bytes> ready = std::move(released_);
    released_.clear();
    release(out, std::move(ready));
  }
  return out;
}

void EpochTree::release(TreeEvents& out, std::vector<Bytes> created) {
  // Messages waiting for an epoch just created, in arrival order; they may create more. Once no
  // more are ready, commits waiting for a merge PSK are tried again if any epoch was created.
  std::deque<Bytes> ready(created.begin(), created.end());
  while (!ready.empty()) {
    while (!ready.empty()) {
      const Bytes epoch = ready.front();
      ready.pop_front();
      const auto waiting = buffer_.find(epoch);
      if (waiting == buffer_.end()) continue;
      std::vector<Held> messages = std::move(waiting->second);
      buffer_.erase(waiting);
      for (const Held& m : messages) {
        handle(m, out);
        ready.insert(ready.end(), released_.begin(), released_.end());
        released_.clear();
      }
    }
    std::vector<Held> retry = std::move(psk_wait_);
    psk_wait_.clear();
    for (const Held& m : retry) {
      handle(m, out);
      if (out.back().kind == TreeEvent::Kind::kBuffered) out.pop_back();  // waits again
      ready.insert(ready.end(), released_.begin(), released_.end());
      released_.clear();
    }
  }
}

void EpochTree::handle(const Held& held, TreeEvents& out) {
  const DmlsMessage& message = *held;
  const Bytes& epoch = message.dmls_epoch;
  if (last_found_ == nullptr || !mls::BytesEqual()(last_found_->first, epoch)) {
    const auto it = epochs_.find(epoch);
    last_found_ = it == epochs_.end() ? nullptr : &*it;
  }
  Nodes::value_type* const node = last_found_;
  if (node == nullptr) {
    if (forgotten_.count(epoch) != 0) {
      out.push_back(undecryptable(epoch, Undecryptable::kEpochDeleted));
      return;
    }
    buffer_[epoch].push_back(held);
    TreeEvent& e = out.emplace_back();
    e.kind = TreeEvent::Kind::kBuffered;
    e.epoch = epoch;
    return;
  }
  if (is_commit(message.message)) {
    out.push_back(handle_commit(held, *node));
  } else {
    handle_other(held, node->second, out.emplace_back());  // (built in place)
  }
}

TreeEvent EpochTree::handle_commit(const Held& held, Nodes::value_type& entry) {
  Node& node = entry.second;
  // The epoch's successor-init state is shared with the copy that processes the commit, and a
  // first child supersedes the epoch: either moves what it retains.
  const Accounting accounting(*this, node);
  const DmlsMessage& message = *held;
  const Bytes& epoch = message.dmls_epoch;
  const Bytes& encoded = held->encoded;
  const Bytes& key = held->digest;
  TreeEvent e;
  e.epoch = epoch;
  // (References to an unordered_map's entries outlive its rehashes.)
  TreeTables::CommitOutcomes& outcomes = tables_->commits[key];
  if (const std::uint8_t seen = outcomes.of(index_); seen != TreeTables::CommitOutcomes::kUnseen) {
    e.kind = TreeEvent::Kind::kDuplicateCommit;
    if (seen >= TreeTables::CommitOutcomes::kFirstChild)
      e.child = outcomes.children[seen - TreeTables::CommitOutcomes::kFirstChild];
    return e;
  }
  // Our own commit echoed: the copy holding it pending merges it.
  std::optional<mls::Group> own;
  if (const auto p = pending_.find(epoch); p != pending_.end()) {
    const auto mine = std::find_if(p->second.begin(), p->second.end(),
                                   [&](const Pending& q) { return q.encoded == encoded; });
    if (mine != p->second.end()) {
      own.emplace(std::move(mine->group));
      p->second.erase(mine);
    }
  }
  mls::Group next = own ? std::move(*own) : node.group;
  const LendPsks lend(*this);
  lend.anchor.missed.clear();
  try {
    e.received = next.handle(message.message, held);
  } catch (const mls::GroupError& error) {
    // A merge carrying a head's key material the tree does not hold yet (its commits come
    // later, by backfill): held, and tried again whenever an epoch is created. One carrying a
    // head the tree held and forgot can never be followed.
    const std::vector<Bytes>& missed = lend.anchor.missed;
    const bool later = error.reason() == mls::Rejection::kUnknownPsk && !missed.empty() &&
                       std::none_of(missed.begin(), missed.end(),
                                    [&](const Bytes& id) { return forgotten_.count(id) != 0; });
    if (!later) return refused(epoch, error.reason());
    psk_wait_.push_back(held);
    e.kind = TreeEvent::Kind::kBuffered;
    return e;
  }
  e.own_commit = e.received.own_commit;
  if (e.received.removed) {
    e.kind = TreeEvent::Kind::kRemoved;
    outcomes.set(index_, TreeTables::CommitOutcomes::kRemoved);
    return e;
  }
  add_epoch(entry, std::move(next), e);
  outcomes.created(index_, e.child);
  return e;
}

void EpochTree::handle_other(const Held& held, Node& node, TreeEvent& e) {
  const DmlsMessage& message = *held;
  const Accounting accounting(*this, node);  // a message key used in a superseded epoch
  const Bytes& epoch = message.dmls_epoch;
  e.epoch = epoch;
  try {
    e.received = node.group.handle(message.message, held);
  } catch (const mls::GroupError& error) {
    e = refused(epoch, error.reason());
    return;
  }
  e.kind = e.received.type == mls::ContentType::kProposal ? TreeEvent::Kind::kProposal
                                                          : TreeEvent::Kind::kApplication;
  if (e.received.sender.type == mls::SenderType::kMember) {
    const mls::RatchetTree& tree = node.group.public_state().tree;
    note_sender(epoch, node, identity_of(tree, e.received.sender.index));
  }
}

Bytes EpochTree::epoch_id_of(const mls::EpochSecrets& secrets) {
  std::vector<TreeTables::EpochId>& ids = tables_->epoch_ids;
  const std::size_t kept = ids.size();
  for (std::size_t k = 1; k <= kept; ++k) {
    const TreeTables::EpochId& entry = ids[(tables_->epoch_ids_next + kept - k) % kept];
    if (entry.crypto == crypto_ && mls::BytesEqual()(entry.epoch_secret, secrets.epoch_secret))
      return entry.id;
  }
  Bytes id = dmls_epoch_of(*crypto_, secrets);
  ids[tables_->epoch_ids_next] = TreeTables::EpochId{crypto_, secrets.epoch_secret, id};
  tables_->epoch_ids_next = (tables_->epoch_ids_next + 1) % kept;
  return id;
}

void EpochTree::add_epoch(Nodes::value_type& parent, mls::Group group, TreeEvent& event) {
  Bytes child = epoch_id_of(group.epoch_secrets());
  event.kind = TreeEvent::Kind::kEpochCreated;
  event.child = child;
  if (holds(child)) return;
  // What the commit did: the same for every device that processed it on this parent, so worked
  // out by the first of them.
  std::shared_ptr<const EpochFacts>& facts = tables_->created[child];
  if (!facts) {
    facts = std::make_shared<const EpochFacts>(
        commit_facts(parent.first, group, parent.second.group, event.received.sender));
  }
  EpochRecord r;
  r.facts = facts;
  if (!r.committer().empty())
    r.note_sender(tables_->identities.id(r.committer()), tables_->sender_changes);
  r.created_at = now_;
  EpochRecord& before_record = *parent.second.record;
  if (!before_record.superseded_at) before_record.superseded_at = now_;
  const auto record = records_.try_emplace(child).first;  // (held once and forgotten: replaced)
  record->second = std::move(r);
  known_order_.push_back(&record->first);
  emplace_node(child, std::move(group), &record->second, &parent);
  released_.push_back(std::move(child));
}

}  // namespace dmlssim::models::dmls
