// Crypt4GH delivery of a slice (GA4GH htsget 1.3 `encryptionScheme=c4gh`, Crypt4GH v1 edit
// lists): the plaintext byte ranges of a slice plan become (a) the stored body's encrypted
// segments that hold them, sent exactly as archived, and (b) an edit list, sealed in a header
// for the requester, that makes a Crypt4GH reader output exactly those ranges from the segments
// sent. The node opens only the stored header (to re-seal the data key); no segment is
// decrypted.
//
// Written against the archive's public header API until crypt4gh/ offers the same selection of
// several ranges as one library call (issue 22); the arithmetic here is the part that stays.
// Pure functions, thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypt4gh/archive.h"
#include "crypt4gh/header.h"
#include "htsget/slice.h"

namespace genomefed::htsget {

struct CipherSelection {
  std::vector<uint64_t> edit_list;  // skip, keep, ... over the plaintext of the segments sent
  std::vector<ByteSpan> body;       // byte ranges of the stored body, sorted, merged
};

// `plaintext`: sorted, disjoint ranges of a file of `plaintext_size` bytes.
CipherSelection SelectSegments(const std::vector<ByteSpan>& plaintext, uint64_t plaintext_size);

// The stored header of `entry` opened with the node key and re-sealed for `recipient` (written
// by the node key) with `edit_list`. kUnimplemented when the stored entry already has an edit
// list (the archive never writes one).
Result<std::string> HeaderWithEditList(const crypt4gh::ArchiveEntry& entry,
                                       const crypt4gh::KeyPair& node,
                                       const crypt4gh::PublicKey& recipient,
                                       const std::vector<uint64_t>& edit_list,
                                       crypt4gh::X25519Cache* cache = nullptr);

}  // namespace genomefed::htsget
