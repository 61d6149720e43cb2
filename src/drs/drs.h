// GA4GH Data Repository Service (DRS) 1.2 documents for the node's archived files: an object per
// archived file (htsget/archived_file.h), a bundle per dataset (its files), service-info and the
// spec's error body. The bytes behind an object are the archived file re-encrypted for the
// requester (Crypt4GH header rewritten, body as stored), so `size` is that copy's size, while
// `checksums` give the SHA-256 of the original plaintext recorded at ingest (what the requester
// gets after decrypting). Pure JSON builders, no HTTP types; the node serves them under
// `/ga4gh/drs/v1`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypt4gh/archive.h"
#include "htsget/archived_file.h"

namespace genomefed::drs {

// The only access method: HTTPS (HTTP on loopback tests) with this access id.
inline constexpr std::string_view kAccessId = "crypt4gh";

// "drs://<host[:port] of public_url>/<id>".
std::string DrsUri(std::string_view public_url, std::string_view id);

// The object for one archived file.
nlohmann::json ObjectJson(const htsget::ArchivedFile& file, const crypt4gh::ArchiveEntry& entry,
                          std::string_view public_url);

// A dataset as a bundle of its files (`contents`); checksum per DRS 1.2: SHA-256 of the
// children's checksums, sorted and concatenated.
nlohmann::json BundleJson(
    std::string_view dataset_id,
    const std::vector<std::pair<htsget::ArchivedFile, crypt4gh::ArchiveEntry>>& files,
    std::string_view public_url);

// AccessURL: `{"url": ..., "headers": ["Name: value", ...]}`.
nlohmann::json AccessUrlJson(std::string_view url,
                             const std::vector<std::pair<std::string, std::string>>& headers);

// GA4GH service-info 1.0 with type org.ga4gh:drs:1.2.0.
nlohmann::json ServiceInfoJson(std::string_view node_id, std::string_view node_name,
                               std::string_view public_url, std::string_view version);

// The spec's Error: `{"msg": ..., "status_code": N}`.
std::string ErrorBody(int status, std::string_view message);

}  // namespace genomefed::drs
