// The extensions RFC 9420 defines (§17.3) that the group state machine reads and writes:
// ratchet_tree (GroupInfo), external_pub (GroupInfo), external_senders and required_capabilities
// (GroupContext).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/mls/ratchet_tree.hpp"
#include "models/mls/wire_types.hpp"

namespace dmlssim::models::mls {

inline constexpr std::uint16_t kExtApplicationId = 1;
inline constexpr std::uint16_t kExtRatchetTree = 2;
inline constexpr std::uint16_t kExtRequiredCapabilities = 3;
inline constexpr std::uint16_t kExtExternalPub = 4;
inline constexpr std::uint16_t kExtExternalSenders = 5;

// Types 1-5 every implementation supports; others must be listed in a leaf's capabilities.
inline bool is_default_extension(std::uint16_t type) {
  return type >= kExtApplicationId && type <= kExtExternalSenders;
}

const Extension* find_extension(const std::vector<Extension>& list, std::uint16_t type);

Extension ratchet_tree_extension(const RatchetTree& tree);
// Throws DecodeError when present but malformed.
std::optional<RatchetTree> ratchet_tree_from(const std::vector<Extension>& list);

Extension external_pub_extension(const Bytes& public_key);
std::optional<Bytes> external_pub_from(const std::vector<Extension>& list);

struct ExternalSender {
  Bytes signature_key;
  Credential credential;
};
std::vector<ExternalSender> external_senders_from(const std::vector<Extension>& list);

struct RequiredCapabilities {
  std::vector<std::uint16_t> extensions, proposals, credentials;
};
std::optional<RequiredCapabilities> required_capabilities_from(const std::vector<Extension>& list);

// The leaf supports every non-default extension of `group_extensions` and what
// required_capabilities asks for.
bool leaf_supports(const LeafNode& leaf, const std::vector<Extension>& group_extensions);

}  // namespace dmlssim::models::mls
