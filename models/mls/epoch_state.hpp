// The public state of one epoch: GroupContext, ratchet tree, interim transcript hash. Immutable
// once built and shared (shared_ptr<const>) by every member in that epoch (DESIGN.md §4); a member
// adds only its private keys and ratchet positions.
#pragma once

#include <memory>

#include "models/mls/transcript.hpp"

#include "models/mls/key_schedule.hpp"
#include "models/mls/ratchet_tree.hpp"

namespace dmlssim::models::mls {

struct EpochPublic {
  GroupContext context;
  Bytes context_bytes;  // context.encode(), the TBS and HPKE context of the epoch
  RatchetTree tree;
  Bytes confirmation_tag;  // of the commit (or, at epoch 0 and for joiners, as §11/§12.4.3)
  Bytes interim_transcript_hash;
};

using EpochPublicPtr = std::shared_ptr<const EpochPublic>;

// The interim transcript hash follows from the confirmed one and the tag (§8.2).
EpochPublicPtr make_epoch_public(GroupContext context, RatchetTree tree, Bytes confirmation_tag);

}  // namespace dmlssim::models::mls
