// BGZF blocks (SAM/BAM specification §4.1) cut at record boundaries inside them: a slice's
// first and last blocks usually hold records outside the slice, and in BCF (or VCF.gz written
// by bgzip) records cross block ends, so a slice that starts or ends inside a block gets that
// block re-compressed from or up to the record's offset; every other block is sent as stored.
// Thread-compatible (each call owns its libdeflate state).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::htsget {

// The content of one whole BGZF block (kCorruption when it is not one or fails its CRC).
Result<std::string> InflateBgzfBlock(std::string_view block);

// `data` as BGZF blocks (at most 64 KiB of content each), without an EOF marker.
std::string CompressBgzf(std::string_view data);

}  // namespace genomefed::htsget
