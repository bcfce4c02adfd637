// The decoders of messages.json's fields: each decodes exactly one value from its bytes and
// re-encodes it (throwing DecodeError on malformed input). Shared by the vector runner and the
// codec robustness tests.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "models/mls/bytes.hpp"

namespace dmlssim::models::mls::vectors {

using RoundTrip = std::function<Bytes(const Bytes&)>;

const std::map<std::string, RoundTrip>& message_round_trips();

}  // namespace dmlssim::models::mls::vectors
