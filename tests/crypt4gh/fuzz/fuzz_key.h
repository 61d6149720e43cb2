// The fixed reader key of the fuzz corpus: seeds are sealed to it so that fuzzing reaches the
// payload decoder and the body, not just the packet framing. Not a secret (test only).
#pragma once

#include <array>

#include "crypt4gh/keys.h"

namespace genomefed::crypt4gh {

inline KeyPair FuzzReaderKey() {
  std::array<uint8_t, kKeySize> bytes;
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(0x40 + i);
  Result<KeyPair> pair = KeyPairFromSecret(SecretKey(bytes));
  return std::move(pair).value();
}

}  // namespace genomefed::crypt4gh
