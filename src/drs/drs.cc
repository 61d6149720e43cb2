#include "drs/drs.h"

#include <algorithm>

namespace genomefed::drs {

using nlohmann::json;

std::string DrsUri(std::string_view public_url, std::string_view id) {
  std::string_view host = public_url;
  if (auto p = host.find("://"); p != std::string_view::npos) host.remove_prefix(p + 3);
  host = host.substr(0, host.find('/'));
  return "drs://" + std::string(host) + "/" + std::string(id);
}

json ObjectJson(const htsget::ArchivedFile& file, const crypt4gh::ArchiveEntry& entry,
                std::string_view public_url) {
  return {
      {"id", file.id},
      {"name", file.name},
      {"self_uri", DrsUri(public_url, file.id)},
      {"size", entry.recipient_file_size()},
      {"created_time", entry.created.empty() ? file.created : entry.created},
      {"mime_type", "application/octet-stream"},
      {"checksums", json::array({{{"type", "sha-256"}, {"checksum", entry.plaintext_sha256}}})},
      {"access_methods", json::array({{{"type", "https"}, {"access_id", kAccessId}}})},
      {"description", std::string(htsget::FileFormatName(file.format)) + " file of dataset " +
                          file.dataset +
                          ", Crypt4GH-encrypted for the requester (the checksum is of the "
                          "decrypted file)"},
      {"aliases", json::array({file.archive_id})},
  };
}

json BundleJson(std::string_view dataset_id,
                const std::vector<std::pair<htsget::ArchivedFile, crypt4gh::ArchiveEntry>>& files,
                std::string_view public_url) {
  json contents = json::array();
  uint64_t size = 0;
  std::vector<std::string> sums;
  std::string created;
  for (const auto& [file, entry] : files) {
    contents.push_back({{"name", file.name},
                        {"id", file.id},
                        {"drs_uri", json::array({DrsUri(public_url, file.id)})}});
    size += entry.recipient_file_size();
    sums.push_back(entry.plaintext_sha256);
    if (created.empty() || entry.created < created) created = entry.created;
  }
  std::sort(sums.begin(), sums.end());
  std::string joined;
  for (const auto& s : sums) joined += s;
  return {
      {"id", dataset_id},
      {"name", dataset_id},
      {"self_uri", DrsUri(public_url, dataset_id)},
      {"size", size},
      {"created_time", created.empty() ? "1970-01-01T00:00:00Z" : created},
      {"checksums",
       json::array(
           {{{"type", "sha-256"},
             {"checksum", crypt4gh::Sha256Hex(std::span<const uint8_t>(
                              reinterpret_cast<const uint8_t*>(joined.data()), joined.size()))}}})},
      {"contents", std::move(contents)},
      {"description", "the archived files of dataset " + std::string(dataset_id)},
  };
}

json AccessUrlJson(std::string_view url,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
  json h = json::array();
  for (const auto& [name, value] : headers) h.push_back(name + ": " + value);
  json out = {{"url", url}};
  if (!h.empty()) out["headers"] = std::move(h);
  return out;
}

json ServiceInfoJson(std::string_view node_id, std::string_view node_name,
                     std::string_view public_url, std::string_view version) {
  return {{"id", std::string(node_id) + ".drs"},
          {"name", std::string(node_name) + " DRS"},
          {"type", {{"group", "org.ga4gh"}, {"artifact", "drs"}, {"version", "1.2.0"}}},
          {"description", "Archived VCF/BCF files, Crypt4GH-encrypted for each requester"},
          {"organization", {{"name", std::string(node_name)}, {"url", std::string(public_url)}}},
          {"version", std::string(version)}};
}

std::string ErrorBody(int status, std::string_view message) {
  return json{{"msg", message}, {"status_code", status}}.dump();
}

}  // namespace genomefed::drs
