// Writes the seed corpus of header_fuzz into a directory (run by hand when the format code
// changes: `crypt4gh_make_corpus tests/crypt4gh/fuzz/corpus/header`). Seeds are deterministic in
// content layout but carry random nonces/keys, so regenerating changes their bytes.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/file.h"
#include "crypt4gh/header.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/stream.h"
#include "tests/crypt4gh/fuzz/fuzz_key.h"

using namespace genomefed;
using namespace genomefed::crypt4gh;

namespace {

std::string Enc(const std::string& plain, std::vector<PublicKey> recipients,
                std::optional<std::vector<uint64_t>> edits) {
  EncryptOptions o;
  o.recipients = std::move(recipients);
  o.edit_list = std::move(edits);
  MemoryReader in(plain);
  std::string out;
  StringWriter w(&out);
  if (!Encrypt(in, w, o).ok()) std::abort();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  KeyPair reader = FuzzReaderKey();
  KeyPair other = GenerateKeyPair().value();
  std::string small = "Hello Crypt4GH fuzzing!\n";
  std::string big(70000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::vector<std::pair<std::string, std::string>> seeds = {
      {"empty", ""},
      {"preamble_only", std::string("crypt4gh\x01\0\0\0\0\0\0\0", 16)},
      {"bad_version", std::string("crypt4gh\x02\0\0\0\x01\0\0\0", 16)},
      {"unknown_method", std::string("crypt4gh\x01\0\0\0\x01\0\0\0\x0c\0\0\0\x07\0\0\0abcd", 28)},
      {"small", Enc(small, {reader.public_key}, std::nullopt)},
      {"small_edit_list", Enc(small, {reader.public_key}, std::vector<uint64_t>{3, 5, 2})},
      {"two_recipients", Enc(small, {other.public_key, reader.public_key}, std::nullopt)},
      {"not_for_us", Enc(small, {other.public_key}, std::nullopt)},
      {"two_segments", Enc(big, {reader.public_key}, std::vector<uint64_t>{65530, 20})},
      {"empty_body", Enc("", {reader.public_key}, std::nullopt)},
  };
  // Packets the fuzz key opens, with hand-made payloads: padded, empty edit list, unknown type.
  auto crafted = [&](std::vector<std::vector<uint8_t>> payloads) {
    std::vector<HeaderPacket> packets;
    KeyPair writer = GenerateKeyPair().value();
    for (const auto& p : payloads)
      packets.push_back(SealPacket(p, writer, reader.public_key).value());
    return SerializeHeader(packets);
  };
  std::vector<uint8_t> key_payload = {0, 0, 0, 0, 0, 0, 0, 0};
  key_payload.resize(8 + 32, 0x42);
  std::vector<uint8_t> padded_key = key_payload;
  padded_key.resize(padded_key.size() + 24, 0);
  std::vector<uint8_t> empty_edits = {1, 0, 0, 0, 0, 0, 0, 0};
  std::vector<uint8_t> padded_edits = {1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<uint8_t> unknown_type = {7, 0, 0, 0, 0, 0, 0, 0};
  seeds.push_back({"padded_packets", crafted({padded_key, padded_edits})});
  seeds.push_back({"empty_edit_list", crafted({key_payload, empty_edits})});
  seeds.push_back({"unknown_packet_type", crafted({key_payload, unknown_type})});
  // Key files (the same target parses its input as keys).
  seeds.push_back({"key_public", FormatPublicKey(reader.public_key)});
  seeds.push_back({"key_secret", FormatSecretKey(reader.secret, "").value()});
  seeds.push_back(
      {"key_openssh_public",
       "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ8nUm1yq5c0jOxGBdpWVqcXl3ZcQ6HeKuq+Ff3wR0U9 "
       "x\n"});
  seeds.push_back(
      {"key_openssh_private",
       "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END "
       "OPENSSH PRIVATE KEY-----\n"});
  std::string truncated = seeds[4].second.substr(0, seeds[4].second.size() - 9);
  seeds.push_back({"truncated", truncated});
  for (const auto& [name, bytes] : seeds) {
    Status s = WriteFileAtomic(dir / name, bytes);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  return 0;
}
