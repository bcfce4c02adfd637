#include "models/mls/transcript.hpp"

#include "models/mls/primitives.hpp"
#include "models/mls/tls_writer.hpp"

namespace dmlssim::models::mls {

Bytes confirmed_transcript_hash(const Bytes& interim_before, const Bytes& confirmed_input) {
  return sha256_of({interim_before, confirmed_input});
}

Bytes interim_transcript_hash(const Bytes& confirmed, const Bytes& tag) {
  TlsWriter input;
  input.opaque(tag);
  return sha256_of({confirmed, input.bytes()});
}

Bytes confirmation_tag(const CryptoProvider& crypto, const Bytes& confirmation_key,
                       const Bytes& confirmed) {
  return crypto.mac(confirmation_key, confirmed);
}

}  // namespace dmlssim::models::mls
