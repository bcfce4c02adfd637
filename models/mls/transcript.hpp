// Transcript hashes and the confirmation tag (RFC 9420 §8.2, §6.1).
#pragma once

#include "models/mls/bytes.hpp"
#include "models/mls/crypto_provider.hpp"

namespace dmlssim::models::mls {

// confirmed_transcript_hash = Hash(interim_transcript_hash_before ||
//                                  ConfirmedTranscriptHashInput{wire_format, content, signature})
Bytes confirmed_transcript_hash(const Bytes& interim_before, const Bytes& confirmed_input);
// interim_transcript_hash = Hash(confirmed_transcript_hash || InterimTranscriptHashInput{tag})
Bytes interim_transcript_hash(const Bytes& confirmed, const Bytes& confirmation_tag);
// confirmation_tag = MAC(confirmation_key, confirmed_transcript_hash)
Bytes confirmation_tag(const CryptoProvider& crypto, const Bytes& confirmation_key,
                       const Bytes& confirmed);

}  // namespace dmlssim::models::mls
