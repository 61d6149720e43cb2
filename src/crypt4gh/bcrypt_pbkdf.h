// bcrypt_pbkdf: the password-based key derivation function of OpenBSD (used by OpenSSH's new
// key format and by the Python Crypt4GH tool for `bcrypt` private keys). It is PBKDF2-like, with
// a Blowfish-based "bcrypt_hash" (64 rounds of eksblowfish key expansion keyed by SHA-512 of the
// password and salt) as the pseudo-random function, and the output bytes interleaved across
// blocks. No Debian library provides it, so it is implemented here from its description; the
// tests check it against the OpenBSD regression vectors.
#pragma once

#include <cstdint>
#include <span>

#include "core/status.h"

namespace genomefed::crypt4gh {

// Fills `key` (1..1024 bytes) from the password and salt (both non-empty) with `rounds` >= 1.
Status BcryptPbkdf(std::span<const uint8_t> password, std::span<const uint8_t> salt,
                   uint32_t rounds, std::span<uint8_t> key);

}  // namespace genomefed::crypt4gh
