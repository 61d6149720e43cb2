// Fuzz target for htsget's parsers of outside input: the POST request body (and, from the same
// bytes, GET parameters), the block map file, and base64 (public key headers). None may crash;
// the replay test runs the committed corpus under g++ (see tests/crypt4gh/fuzz for real
// fuzzing with clang).
#include <cstddef>
#include <cstdint>
#include <string>

#include "htsget/archived_file.h"
#include "htsget/request.h"
#include "htsget/ticket.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace genomefed::htsget;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  Request r;
  (void)ParsePost("id", bytes, {}, &r);
  QueryMap q;
  q.emplace("referenceName", bytes.substr(0, 16));
  q.emplace("start", bytes.substr(0, 8));
  q.emplace("end", bytes.size() > 8 ? bytes.substr(8, 8) : std::string());
  (void)ParseGet("id", q, &r);
  (void)ParseBlockMap(bytes, "fuzz");
  (void)Base64Decode(bytes);
  return 0;
}
