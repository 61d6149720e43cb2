// crypt4gh_bench: Crypt4GH v1 throughput against its baseline, in the same run.
//
//   1. stream encryption and decryption of a 1 GiB plaintext through the Reader/Writer seams
//      (64 KiB segments, random nonces, MACs, header) versus raw OpenSSL EVP
//      ChaCha20-Poly1305 over the same bytes in 64 KiB chunks with no framing at all;
//   2. header re-encryptions per second (what the archive does per download): decrypt the
//      node's packet, re-seal it for a requester with the node key as writer;
//   3. archive ingest with its integrity record and a verified whole copy (256 MiB).
//
// Usage: crypt4gh_bench [GiB=1] [reencryptions=20000]. Prints one line per figure and ratios.
#include <openssl/evp.h>
#include <sodium.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "crypt4gh/archive.h"
#include "crypt4gh/header.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/stream.h"

namespace c4gh = genomefed::crypt4gh;

namespace {

constexpr size_t kChunk = 64 << 20;  // the distinct bytes served over and over

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Serves `data` repeatedly until `total` bytes, copying like a read from the page cache.
class RepeatingReader final : public c4gh::Reader {
 public:
  RepeatingReader(const std::string& prefix, const std::string& data, uint64_t total)
      : prefix_(prefix), data_(data), total_(total) {}
  genomefed::Result<size_t> Read(std::span<uint8_t> out) override {
    if (prefix_pos_ < prefix_.size()) {
      size_t n = std::min(out.size(), prefix_.size() - prefix_pos_);
      std::memcpy(out.data(), prefix_.data() + prefix_pos_, n);
      prefix_pos_ += n;
      return n;
    }
    if (done_ >= total_) return size_t{0};
    size_t at = static_cast<size_t>(done_ % data_.size());
    size_t n =
        static_cast<size_t>(std::min<uint64_t>({out.size(), data_.size() - at, total_ - done_}));
    std::memcpy(out.data(), data_.data() + at, n);
    done_ += n;
    return n;
  }

 private:
  const std::string& prefix_;
  const std::string& data_;
  uint64_t total_;
  size_t prefix_pos_ = 0;
  uint64_t done_ = 0;
};

void Die(const genomefed::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// Raw EVP over `total` bytes: the best a framing-free use of the same cipher can do.
double RawEvp(bool encrypt, const std::string& src, uint64_t total) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  uint8_t key[32], nonce[12] = {0}, tag[16] = {0};
  randombytes_buf(key, sizeof(key));
  std::vector<uint8_t> out(65536 + 16);
  if (encrypt) {
    EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key, nullptr);
  } else {
    EVP_DecryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key, nullptr);
  }
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t done = 0; done < total; done += 65536) {
    const auto* in = reinterpret_cast<const uint8_t*>(src.data()) + done % src.size();
    int n = 0, fin = 0;
    if (encrypt) {
      EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce);
      EVP_EncryptUpdate(ctx, out.data(), &n, in, 65536);
      EVP_EncryptFinal_ex(ctx, out.data() + n, &fin);
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag);
    } else {
      // Tags are not valid here (random data); the work done is the same as a verified open.
      EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce);
      EVP_DecryptUpdate(ctx, out.data(), &n, in, 65536);
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag);
      (void)EVP_DecryptFinal_ex(ctx, out.data() + n, &fin);
    }
  }
  double s = Seconds(t0);
  EVP_CIPHER_CTX_free(ctx);
  return static_cast<double>(total) / s / (1u << 30);
}

}  // namespace

int main(int argc, char** argv) {
  const double gib = argc > 1 ? std::atof(argv[1]) : 1.0;
  const int reencryptions = argc > 2 ? std::atoi(argv[2]) : 20000;
  const uint64_t total = static_cast<uint64_t>(gib * (1u << 30)) / 65536 * 65536;
  Die(c4gh::InitCrypto(), "init");
  std::string plain(kChunk, '\0');
  randombytes_buf(plain.data(), plain.size());
  c4gh::KeyPair node = c4gh::GenerateKeyPair().value();
  c4gh::KeyPair requester = c4gh::GenerateKeyPair().value();

  // A Crypt4GH file of kChunk bytes; since segments are independent, its body repeated is the
  // valid body of a longer file, so decryption can stream `total` bytes from 64 MiB of RAM.
  std::string file;
  {
    c4gh::MemoryReader in(plain);
    c4gh::StringWriter w(&file);
    c4gh::EncryptOptions o;
    o.recipients = {node.public_key};
    Die(c4gh::Encrypt(in, w, o).status(), "prepare");
  }
  auto header = c4gh::ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file.data()), file.size()));
  Die(header.status(), "parse");
  std::string header_bytes = file.substr(0, header->size);
  std::string body = file.substr(header->size);
  std::string no_prefix;

  const int reps = 3;
  double best_raw_enc = 0, best_raw_dec = 0, best_enc = 0, best_dec = 0;
  for (int r = 0; r < reps; ++r) {
    best_raw_enc = std::max(best_raw_enc, RawEvp(true, plain, total));
    {
      RepeatingReader in(no_prefix, plain, total);
      c4gh::NullWriter out;
      c4gh::EncryptOptions o;
      o.recipients = {node.public_key};
      auto t0 = std::chrono::steady_clock::now();
      Die(c4gh::Encrypt(in, out, o).status(), "encrypt");
      best_enc = std::max(best_enc, static_cast<double>(total) / Seconds(t0) / (1u << 30));
    }
    best_raw_dec = std::max(best_raw_dec, RawEvp(false, body, total));
    {
      uint64_t body_total = total / 65536 * c4gh::kCipherSegmentSize;
      RepeatingReader in(header_bytes, body, body_total);
      c4gh::NullWriter out;
      auto t0 = std::chrono::steady_clock::now();
      auto n = c4gh::Decrypt(in, out, node);
      Die(n.status(), "decrypt");
      best_dec = std::max(best_dec, static_cast<double>(*n) / Seconds(t0) / (1u << 30));
    }
  }
  std::printf("stream of %.2f GiB, best of %d runs, one core\n", gib, reps);
  std::printf("encrypt: crypt4gh %.2f GiB/s, raw EVP %.2f GiB/s, ratio %.2f\n", best_enc,
              best_raw_enc, best_enc / best_raw_enc);
  std::printf("decrypt: crypt4gh %.2f GiB/s, raw EVP %.2f GiB/s, ratio %.2f\n", best_dec,
              best_raw_dec, best_dec / best_raw_dec);

  // Header re-encryption as the archive serves a download: node key reads, node key writes.
  size_t bytes = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reencryptions; ++i) {
    auto fresh = c4gh::ReencryptHeader(*header, node, node,
                                       std::span<const c4gh::PublicKey>(&requester.public_key, 1));
    Die(fresh.status(), "reencrypt");
    bytes += fresh->size();
  }
  double s = Seconds(t0);
  std::printf("header re-encryption: %.0f per second (%d in %.2f s, %zu header bytes each)\n",
              reencryptions / s, reencryptions, s, bytes / reencryptions);
  // A serving node keeps one X25519Cache for its key: the stored file's writer and a repeat
  // requester then cost no scalar multiplication. First requests are the figure above.
  c4gh::X25519Cache cache;
  c4gh::ReencryptOptions cached;
  cached.cache = &cache;
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reencryptions; ++i) {
    auto fresh = c4gh::ReencryptHeader(
        *header, node, node, std::span<const c4gh::PublicKey>(&requester.public_key, 1), cached);
    Die(fresh.status(), "reencrypt");
  }
  s = Seconds(t0);
  std::printf("header re-encryption, repeat requester with the X25519 cache: %.0f per second\n",
              reencryptions / s);
  // Same with an ephemeral writer key per copy (the reference tool's default).
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reencryptions / 4; ++i) {
    c4gh::KeyPair eph = c4gh::GenerateKeyPair().value();
    auto fresh = c4gh::ReencryptHeader(*header, node, eph,
                                       std::span<const c4gh::PublicKey>(&requester.public_key, 1));
    Die(fresh.status(), "reencrypt");
  }
  s = Seconds(t0);
  std::printf("header re-encryption with an ephemeral writer key: %.0f per second\n",
              (reencryptions / 4) / s);

  // 3. The archive (issue 22): ingest with the integrity record (SHA-256 of plaintext and body,
  // a keyed BLAKE2b MAC per segment) and a verified whole-file copy for a requester, against the
  // plain stream encryption above. 256 MiB through a temporary archive directory.
  {
    const uint64_t archive_bytes = std::min<uint64_t>(total, uint64_t{256} << 20);
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("crypt4gh_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    static const std::string empty;
    RepeatingReader in(empty, plain, archive_bytes);
    auto t1 = std::chrono::steady_clock::now();
    auto entry = c4gh::ArchiveStream(dir, in, "bench.bin", node);
    Die(entry.status(), "archive");
    double ingest_s = Seconds(t1);
    c4gh::NullWriter sink;
    t1 = std::chrono::steady_clock::now();
    auto served = c4gh::WriteRangesForRecipient(*entry, node, requester.public_key, {}, sink);
    Die(served.status(), "serve");
    double serve_s = Seconds(t1);
    // Baseline: the same stored body read unverified from the page cache.
    t1 = std::chrono::steady_clock::now();
    {
      auto stored = c4gh::FdReader::Open(entry->body_path());
      Die(stored.status(), "open body");
      std::vector<uint8_t> buf(1 << 20);
      while (true) {
        auto n = c4gh::ReadFull(**stored, buf);
        Die(n.status(), "read body");
        if (*n == 0) break;
        Die(sink.Write(std::span<const uint8_t>(buf.data(), *n)), "sink");
      }
    }
    double raw_s = Seconds(t1);
    double gib_a = static_cast<double>(archive_bytes) / (1u << 30);
    std::printf("archive ingest with integrity record: %.2f GiB/s (%.2f GiB in %.2f s)\n",
                gib_a / ingest_s, gib_a, ingest_s);
    std::printf(
        "archive verified whole copy: %.2f GiB/s, unverified read of body.c4gh %.2f GiB/s, "
        "ratio %.2f\n",
        gib_a / serve_s, gib_a / raw_s, raw_s / serve_s);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}
