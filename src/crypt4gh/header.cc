#include "crypt4gh/header.h"

#include <sodium.h>

#include <cstring>
#include <list>
#include <mutex>
#include <unordered_map>

#include "core/bytes.h"
#include "crypt4gh/cipher.h"

namespace genomefed::crypt4gh {

namespace {

using internal::kMacSize;
using internal::kNonceSize;

constexpr char kMagic[8] = {'c', 'r', 'y', 'p', 't', '4', 'g', 'h'};
constexpr size_t kPreambleSize = 16;  // magic, version, packet count
// length, method, writer key, nonce, MAC: the smallest X25519 packet has an empty payload.
constexpr size_t kX25519Overhead = 4 + 4 + kKeySize + kNonceSize + kMacSize;

void PutLe32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void PutLe64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::string At(uint64_t offset) { return " (header offset " + std::to_string(offset) + ")"; }

Status CheckPreamble(const uint8_t* p, uint32_t& count) {
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    return InvalidArgument("not a Crypt4GH file: the magic bytes 'crypt4gh' are missing");
  }
  uint32_t version = LoadLe32(p + 8);
  if (version != kFormatVersion) {
    return Unimplemented("Crypt4GH version " + std::to_string(version) +
                         " is not supported (only version 1)");
  }
  count = LoadLe32(p + 12);
  return Status::Ok();
}

Status CheckPacketLength(uint32_t length, uint64_t offset) {
  if (length < 8) {
    return InvalidArgument("header packet length " + std::to_string(length) +
                           " is below the minimum of 8" + At(offset));
  }
  if (length > kMaxPacketSize) {
    return ResourceExhausted("header packet of " + std::to_string(length) +
                             " bytes exceeds the limit of " + std::to_string(kMaxPacketSize) +
                             At(offset));
  }
  return Status::Ok();
}

}  // namespace

struct X25519Cache::Impl {
  struct Entry {
    std::string key;  // own public key | peer public key
    std::array<uint8_t, kKeySize> dh;
  };
  size_t capacity;
  mutable std::mutex mu;
  std::list<Entry> lru;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index;

  static std::string Key(const PublicKey& own, const PublicKey& peer) {
    std::string k(reinterpret_cast<const char*>(own.bytes.data()), kKeySize);
    k.append(reinterpret_cast<const char*>(peer.bytes.data()), kKeySize);
    return k;
  }
};

X25519Cache::X25519Cache(size_t capacity) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = capacity == 0 ? 1 : capacity;
}

X25519Cache::~X25519Cache() {
  for (Impl::Entry& e : impl_->lru) sodium_memzero(e.dh.data(), e.dh.size());
}

bool X25519Cache::Lookup(const PublicKey& own, const PublicKey& peer, uint8_t dh[kKeySize]) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->index.find(Impl::Key(own, peer));
  if (it == impl_->index.end()) return false;
  impl_->lru.splice(impl_->lru.begin(), impl_->lru, it->second);
  std::memcpy(dh, it->second->dh.data(), kKeySize);
  return true;
}

void X25519Cache::Insert(const PublicKey& own, const PublicKey& peer, const uint8_t dh[kKeySize]) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string key = Impl::Key(own, peer);
  if (impl_->index.count(key) > 0) return;
  impl_->lru.push_front(Impl::Entry{key, {}});
  std::memcpy(impl_->lru.front().dh.data(), dh, kKeySize);
  impl_->index[key] = impl_->lru.begin();
  if (impl_->lru.size() > impl_->capacity) {
    Impl::Entry& victim = impl_->lru.back();
    sodium_memzero(victim.dh.data(), victim.dh.size());
    impl_->index.erase(victim.key);
    impl_->lru.pop_back();
  }
}

size_t X25519Cache::size() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->lru.size();
}

Result<EncryptedHeader> ReadHeader(Reader& in) {
  uint8_t pre[kPreambleSize];
  GF_ASSIGN_OR_RETURN(size_t got, ReadFull(in, pre));
  if (got < kPreambleSize) {
    return InvalidArgument("not a Crypt4GH file: only " + std::to_string(got) +
                           " bytes, shorter than the 16-byte preamble");
  }
  uint32_t count = 0;
  GF_RETURN_IF_ERROR(CheckPreamble(pre, count));
  EncryptedHeader header;
  header.size = kPreambleSize;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t len_bytes[4];
    GF_ASSIGN_OR_RETURN(size_t n, ReadFull(in, len_bytes));
    if (n < 4) {
      return InvalidArgument("header truncated in packet " + std::to_string(i) + " of " +
                             std::to_string(count) + At(header.size + n));
    }
    uint32_t length = LoadLe32(len_bytes);
    GF_RETURN_IF_ERROR(CheckPacketLength(length, header.size));
    if (header.size + length > kMaxHeaderSize) {
      return ResourceExhausted("Crypt4GH header exceeds " + std::to_string(kMaxHeaderSize) +
                               " bytes");
    }
    HeaderPacket packet;
    packet.bytes.resize(length);
    std::memcpy(packet.bytes.data(), len_bytes, 4);
    GF_ASSIGN_OR_RETURN(size_t rest, ReadFull(in, std::span<uint8_t>(packet.bytes).subspan(4)));
    if (rest < length - 4) {
      return InvalidArgument("header truncated in packet " + std::to_string(i) + " of " +
                             std::to_string(count) + At(header.size + 4 + rest));
    }
    packet.method = LoadLe32(packet.bytes.data() + 4);
    header.size += length;
    header.packets.push_back(std::move(packet));
  }
  return header;
}

Result<EncryptedHeader> ParseHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kPreambleSize) {
    return InvalidArgument("not a Crypt4GH file: only " + std::to_string(bytes.size()) +
                           " bytes, shorter than the 16-byte preamble");
  }
  uint32_t count = 0;
  GF_RETURN_IF_ERROR(CheckPreamble(bytes.data(), count));
  EncryptedHeader header;
  uint64_t pos = kPreambleSize;
  for (uint32_t i = 0; i < count; ++i) {
    if (bytes.size() - pos < 4) {
      return InvalidArgument("header truncated in packet " + std::to_string(i) + " of " +
                             std::to_string(count) + At(pos));
    }
    uint32_t length = LoadLe32(bytes.data() + pos);
    GF_RETURN_IF_ERROR(CheckPacketLength(length, pos));
    if (bytes.size() - pos < length) {
      return InvalidArgument("header truncated in packet " + std::to_string(i) + " of " +
                             std::to_string(count) + At(bytes.size()));
    }
    if (pos + length > kMaxHeaderSize) {
      return ResourceExhausted("Crypt4GH header exceeds " + std::to_string(kMaxHeaderSize) +
                               " bytes");
    }
    HeaderPacket packet;
    packet.bytes.assign(bytes.begin() + static_cast<ptrdiff_t>(pos),
                        bytes.begin() + static_cast<ptrdiff_t>(pos + length));
    packet.method = LoadLe32(packet.bytes.data() + 4);
    pos += length;
    header.packets.push_back(std::move(packet));
  }
  header.size = pos;
  return header;
}

std::string SerializeHeader(const std::vector<HeaderPacket>& packets) {
  std::vector<uint8_t> pre;
  pre.insert(pre.end(), kMagic, kMagic + sizeof(kMagic));
  PutLe32(pre, kFormatVersion);
  PutLe32(pre, static_cast<uint32_t>(packets.size()));
  std::string out(pre.begin(), pre.end());
  for (const HeaderPacket& p : packets) out.append(p.bytes.begin(), p.bytes.end());
  return out;
}

namespace {

// Remembers the shared key of the last writer key seen: the packets of one file usually share
// one writer, and each X25519 costs ~30 us.
struct SharedKeyCache {
  std::optional<PublicKey> peer;
  SecretKey shared;
  bool usable = false;
};

// Opens one packet; nullopt when it is not for this reader (or not from `sender_pk`).
std::optional<SecretBytes> OpenPacket(const HeaderPacket& packet, const KeyPair& reader,
                                      const std::optional<PublicKey>& sender_pk,
                                      SharedKeyCache& cache, X25519Cache* dh_cache,
                                      PublicKey& writer_pk) {
  if (packet.method != kPacketX25519ChaCha20Poly1305) return std::nullopt;
  if (packet.bytes.size() < kX25519Overhead) return std::nullopt;
  const uint8_t* p = packet.bytes.data() + 8;
  std::memcpy(writer_pk.bytes.data(), p, kKeySize);
  if (sender_pk && !(*sender_pk == writer_pk)) return std::nullopt;
  if (!cache.peer || !(*cache.peer == writer_pk)) {
    Result<SecretKey> shared = internal::ReaderSharedKey(reader, writer_pk, dh_cache);
    cache.peer = writer_pk;
    cache.usable = shared.ok();  // a low-order key: not a packet for us
    if (shared.ok()) cache.shared = std::move(shared).value();
  }
  if (!cache.usable) return std::nullopt;
  const uint8_t* nonce = p + kKeySize;
  const uint8_t* sealed = nonce + kNonceSize;
  size_t sealed_len = packet.bytes.size() - 8 - kKeySize - kNonceSize;
  SecretBytes payload(sealed_len - kMacSize);
  unsigned long long len = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(payload.bytes().data(), &len, nullptr, sealed,
                                                sealed_len, nullptr, 0, nonce,
                                                cache.shared.data()) != 0) {
    return std::nullopt;
  }
  return payload;
}

Status DecodePayload(const SecretBytes& payload, size_t index, HeaderContent& content) {
  const std::vector<uint8_t>& b = payload.bytes();
  std::string where = " in header packet " + std::to_string(index);
  if (b.size() < 4) return InvalidArgument("decrypted packet too short for its type" + where);
  uint32_t type = LoadLe32(b.data());
  if (type == kPacketTypeDataEncryptionParameters) {
    if (b.size() < 8) return InvalidArgument("data-key packet too short" + where);
    uint32_t method = LoadLe32(b.data() + 4);
    if (method != kDataMethodChaCha20Poly1305) {
      return Unimplemented("data encryption method " + std::to_string(method) +
                           " is not supported (only chacha20_ietf_poly1305)" + where);
    }
    // The standard lets packet_length exceed what the content needs ("any remaining space
    // after the actual data should be padded ... and encrypted"): bytes after the key are
    // padding.
    if (b.size() < 8 + kKeySize) {
      return InvalidArgument("data-key packet holds " + std::to_string(b.size() - 8) +
                             " key bytes, expected 32" + where);
    }
    content.data_keys.emplace_back(std::span<const uint8_t, kKeySize>(b.data() + 8, kKeySize));
    return Status::Ok();
  }
  if (type == kPacketTypeDataEditList) {
    if (content.edit_list) {
      return InvalidArgument("more than one edit list for this reader" + where);
    }
    if (b.size() < 8) return InvalidArgument("edit-list packet too short" + where);
    uint32_t count = LoadLe32(b.data() + 4);
    if ((b.size() - 8) / 8 < count) {  // more bytes than the lengths need: padding, as above
      return InvalidArgument("edit list declares " + std::to_string(count) + " lengths but holds " +
                             std::to_string(b.size() - 8) + " bytes" + where);
    }
    std::vector<uint64_t> lengths(count);
    for (uint32_t i = 0; i < count; ++i) lengths[i] = LoadLe64(b.data() + 8 + 8 * i);
    content.edit_list = std::move(lengths);
    return Status::Ok();
  }
  // Crypt4GH v1 defines packet types 0 and 1 only, and its variants have "a case for every
  // possible enumerated value"; the standard's "ignore any header packets that they cannot
  // decrypt" covers packets for other readers, not packets we opened. Like the reference
  // implementation, refuse rather than guess what the writer meant.
  return InvalidArgument("header packet type " + std::to_string(type) +
                         " is not defined by Crypt4GH v1 (0 = data encryption parameters, 1 = "
                         "data edit list)" +
                         where);
}

}  // namespace

Result<DecryptedHeader> DecryptHeader(const EncryptedHeader& header, const KeyPair& reader,
                                      const std::optional<PublicKey>& sender_pk,
                                      X25519Cache* dh_cache) {
  GF_RETURN_IF_ERROR(InitCrypto());
  DecryptedHeader out;
  SharedKeyCache cache;
  for (size_t i = 0; i < header.packets.size(); ++i) {
    PublicKey writer;
    std::optional<SecretBytes> payload =
        OpenPacket(header.packets[i], reader, sender_pk, cache, dh_cache, writer);
    if (!payload) {
      out.foreign.push_back(i);
      continue;
    }
    GF_RETURN_IF_ERROR(DecodePayload(*payload, i, out.content));
    out.payloads.push_back(std::move(*payload));
    out.writers.push_back(writer);
  }
  if (out.content.data_keys.empty()) {
    std::string why = out.payloads.empty() ? "no header packet opens with this key"
                                           : "the header packets for this key hold no data key";
    if (sender_pk && out.payloads.empty()) why += " and sender public key";
    return PermissionDenied(why + ": the file was not encrypted for " + reader.public_key.Hex());
  }
  return out;
}

namespace {

HeaderPacket SealWithSharedKey(std::span<const uint8_t> payload, const PublicKey& writer_pk,
                               const SecretKey& shared) {
  size_t length = kX25519Overhead + payload.size();
  HeaderPacket packet;
  packet.method = kPacketX25519ChaCha20Poly1305;
  packet.bytes.reserve(length);
  PutLe32(packet.bytes, static_cast<uint32_t>(length));
  PutLe32(packet.bytes, kPacketX25519ChaCha20Poly1305);
  packet.bytes.insert(packet.bytes.end(), writer_pk.bytes.begin(), writer_pk.bytes.end());
  size_t nonce_at = packet.bytes.size();
  packet.bytes.resize(length);
  uint8_t* nonce = packet.bytes.data() + nonce_at;
  randombytes_buf(nonce, kNonceSize);
  unsigned long long sealed_len = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(nonce + kNonceSize, &sealed_len, payload.data(),
                                            payload.size(), nullptr, 0, nullptr, nonce,
                                            shared.data());
  return packet;
}

}  // namespace

Result<HeaderPacket> SealPacket(std::span<const uint8_t> payload, const KeyPair& writer,
                                const PublicKey& recipient) {
  GF_RETURN_IF_ERROR(InitCrypto());
  if (kX25519Overhead + payload.size() > kMaxPacketSize) {
    return InvalidArgument("header packet payload too large");
  }
  GF_ASSIGN_OR_RETURN(SecretKey shared, internal::WriterSharedKey(writer, recipient));
  return SealWithSharedKey(payload, writer.public_key, shared);
}

std::vector<SecretBytes> EncodeContent(const HeaderContent& content) {
  std::vector<SecretBytes> payloads;
  for (const SecretKey& key : content.data_keys) {
    SecretBytes p;
    p.bytes().reserve(8 + kKeySize);
    PutLe32(p.bytes(), kPacketTypeDataEncryptionParameters);
    PutLe32(p.bytes(), kDataMethodChaCha20Poly1305);
    p.bytes().insert(p.bytes().end(), key.bytes().begin(), key.bytes().end());
    payloads.push_back(std::move(p));
  }
  if (content.edit_list) {
    SecretBytes p;
    PutLe32(p.bytes(), kPacketTypeDataEditList);
    PutLe32(p.bytes(), static_cast<uint32_t>(content.edit_list->size()));
    for (uint64_t len : *content.edit_list) PutLe64(p.bytes(), len);
    payloads.push_back(std::move(p));
  }
  return payloads;
}

namespace {

Result<std::vector<HeaderPacket>> SealAll(const std::vector<SecretBytes>& payloads,
                                          const KeyPair& writer,
                                          std::span<const PublicKey> recipients,
                                          X25519Cache* dh_cache = nullptr) {
  if (recipients.empty()) return InvalidArgument("at least one recipient public key is needed");
  GF_RETURN_IF_ERROR(InitCrypto());
  std::vector<HeaderPacket> packets;
  for (const PublicKey& recipient : recipients) {
    GF_ASSIGN_OR_RETURN(SecretKey shared, internal::WriterSharedKey(writer, recipient, dh_cache));
    for (const SecretBytes& payload : payloads) {
      if (kX25519Overhead + payload.bytes().size() > kMaxPacketSize) {
        return InvalidArgument("header packet payload too large");
      }
      packets.push_back(SealWithSharedKey(payload.bytes(), writer.public_key, shared));
    }
  }
  return packets;
}

}  // namespace

uint64_t HeaderSizeFor(const HeaderContent& content, size_t recipients) {
  uint64_t per_recipient = 0;
  for (const SecretBytes& p : EncodeContent(content))
    per_recipient += kX25519Overhead + p.bytes().size();
  return kPreambleSize + per_recipient * recipients;
}

Result<std::string> BuildHeader(const HeaderContent& content, const KeyPair& writer,
                                std::span<const PublicKey> recipients, X25519Cache* cache) {
  if (content.data_keys.empty()) return InvalidArgument("a header needs a data key");
  if (content.edit_list && content.edit_list->size() > (kMaxPacketSize - 100) / 8) {
    return InvalidArgument("edit list too long");
  }
  GF_ASSIGN_OR_RETURN(std::vector<HeaderPacket> packets,
                      SealAll(EncodeContent(content), writer, recipients, cache));
  return SerializeHeader(packets);
}

Result<std::string> ReencryptHeader(const EncryptedHeader& header, const KeyPair& reader,
                                    const KeyPair& writer, std::span<const PublicKey> recipients,
                                    const ReencryptOptions& options) {
  GF_ASSIGN_OR_RETURN(DecryptedHeader decrypted,
                      DecryptHeader(header, reader, options.sender_pk, options.cache));
  GF_ASSIGN_OR_RETURN(std::vector<HeaderPacket> packets,
                      SealAll(decrypted.payloads, writer, recipients, options.cache));
  if (!options.trim) {
    for (size_t i : decrypted.foreign) packets.push_back(header.packets[i]);
  }
  return SerializeHeader(packets);
}

}  // namespace genomefed::crypt4gh
