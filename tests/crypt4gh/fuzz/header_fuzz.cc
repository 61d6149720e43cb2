// Fuzz target for the Crypt4GH header parser and everything a reader does with untrusted bytes:
// ParseHeader, DecryptHeader (packets sealed to a fixed key reach the payload decoder, padded
// or not), the edit list selection and body decryption with ranges, the buffered header reader,
// and the key file parsers (public keys, private keys; the passphrase callback refuses, so no
// KDF runs). Built with clang -fsanitize=fuzzer when
// GENOMEFED_FUZZ=ON; otherwise the committed corpus is replayed by crypt4gh_fuzz_replay_test.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypt4gh/header.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/stream.h"
#include "tests/crypt4gh/fuzz/fuzz_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace genomefed::crypt4gh;
  static const KeyPair* reader = [] {
    auto* k = new KeyPair(FuzzReaderKey());
    return k;
  }();
  std::span<const uint8_t> bytes(data, size);
  genomefed::Result<EncryptedHeader> header = ParseHeader(bytes);
  if (header.ok()) {
    genomefed::Result<DecryptedHeader> opened = DecryptHeader(*header, *reader);
    if (opened.ok()) {
      // Exercise the body paths over whatever follows the header, whole and with a range.
      for (const ByteRange& range : {ByteRange{}, ByteRange{70000, 140000}, ByteRange{5, 6}}) {
        MemoryReader body(bytes.subspan(header->size));
        NullWriter sink;
        (void)DecryptBody(body, sink, opened->content, range);
      }
      MemoryReader body(bytes.subspan(header->size));
      NullWriter h, b;
      (void)RearrangeBody(body, h, b, opened->content, ByteRange{1, 65537},
                          std::span<const PublicKey>(&reader->public_key, 1), *reader);
    }
  }
  // The streaming reader must agree with the span parser, buffered or not.
  MemoryReader in(bytes);
  genomefed::Result<EncryptedHeader> streamed = ReadHeader(in);
  if (streamed.ok() != header.ok()) __builtin_trap();
  if (streamed.ok() && streamed->size != header->size) __builtin_trap();
  MemoryReader raw(bytes);
  BufferedReader buffered(&raw, 7);  // a tiny buffer: every refill path is exercised
  genomefed::Result<EncryptedHeader> through_buffer = ReadHeader(buffered);
  if (through_buffer.ok() != header.ok()) __builtin_trap();
  if (through_buffer.ok()) {
    // What follows the header must come out of the buffer unchanged.
    std::vector<uint8_t> rest(bytes.size() - through_buffer->size);
    genomefed::Result<size_t> n = ReadFull(buffered, rest);
    if (!n.ok() || *n != rest.size() ||
        !std::equal(rest.begin(), rest.end(), bytes.begin() + through_buffer->size)) {
      __builtin_trap();
    }
  }
  // Key files are untrusted input too.
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParsePublicKey(text);
  (void)ParseSecretKey(text, [] {
    return genomefed::Result<std::string>(genomefed::Unauthenticated("no passphrase in fuzzing"));
  });
  return 0;
}
