// Matrix room events that carry MLS, in the shapes of MSC4256 / Linearized Matrix / MSC2883
// (docs/encrypted-rooms.md): a commit is an `m.mls.commit` room event whose `message` is the
// MLSMessage (PublicMessage by default, so servers can police membership as LM requires); an
// application message is an `m.room.encrypted` event whose `ciphertext` is the PrivateMessage.
// Both name the commit event that created the epoch they belong to, so a receiver can fetch it.
// Binary fields are unpadded base64, as Matrix encodes them: the event's wire size is the real
// one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::device {

inline constexpr const char* kCommitEventType = "m.mls.commit";
inline constexpr const char* kEncryptedEventType = "m.room.encrypted";
// The algorithm name of MSC2883's proof of concept for cipher suite 1, without its unstable
// prefix.
inline constexpr const char* kMlsAlgorithm = "m.mls.v1.dhkemx25519-aes128gcm-sha256-ed25519";

// `prev_commit_event_id`: the commit event that created the epoch this commit ends ("" for the
// epoch the room started with).
// `group_info`: the MLSMessage (mls_group_info) the committer signed for the epoch the commit
// creates, with external_pub and without the ratchet tree, so that a device can join that epoch by
// external commit (empty: none).
// `resolves`: under DMLS, the epoch identities of the heads the commit merges (MSC2883).
nlohmann::json commit_content(const mls::Bytes& mls_message, std::uint64_t epoch,
                              const std::string& prev_commit_event_id,
                              const mls::Bytes& group_info = {},
                              const std::vector<mls::Bytes>& resolves = {});
// `commit_event_id`: the commit event that created the message's epoch ("" for the first).
nlohmann::json encrypted_content(const mls::Bytes& private_message,
                                 const std::string& commit_event_id);

}  // namespace dmlssim::models::device
