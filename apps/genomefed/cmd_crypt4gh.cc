// `genomefed crypt4gh keygen|encrypt|decrypt|reencrypt|rearrange`: GA4GH Crypt4GH v1 files from
// the command line, with flags close to the reference tool (--sk, --recipient-pk repeatable,
// --sender-pk, --range START-END, passphrase from C4GH_PASSPHRASE or a prompt). Data flow from
// standard input to standard output unless -i / -o name files; -o files appear only when the
// command succeeds.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/genomefed/commands.h"
#include "crypt4gh/header.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/stream.h"

namespace genomefed::cli {

namespace {

namespace c4gh = genomefed::crypt4gh;

constexpr const char* kPassphraseVar = "C4GH_PASSPHRASE";

// Reads a line from the terminal with echo off; kFailedPrecondition when there is no terminal.
Result<std::string> Prompt(const std::string& question) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) {
    return FailedPrecondition(std::string("a passphrase is needed: set ") + kPassphraseVar +
                              " (no terminal to ask on)");
  }
  int fd = fileno(tty);
  termios old{};
  bool restore = tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::fputs(question.c_str(), tty);
  std::fflush(tty);
  std::string line;
  for (int c = std::fgetc(tty); c != EOF && c != '\n'; c = std::fgetc(tty)) {
    line.push_back(static_cast<char>(c));
  }
  if (restore) tcsetattr(fd, TCSAFLUSH, &old);
  std::fputs("\n", tty);
  std::fclose(tty);
  return line;
}

Result<std::string> Passphrase(const std::string& question) {
  if (const char* env = std::getenv(kPassphraseVar); env != nullptr) return std::string(env);
  return Prompt(question);
}

Result<c4gh::KeyPair> LoadSecret(const std::string& path) {
  GF_ASSIGN_OR_RETURN(c4gh::SecretKey sk, c4gh::ReadSecretKeyFile(path, [&] {
                        return Passphrase("Passphrase for " + path + ": ");
                      }));
  return c4gh::KeyPairFromSecret(std::move(sk));
}

Result<std::vector<c4gh::PublicKey>> LoadPublics(const std::vector<std::string>& paths) {
  std::vector<c4gh::PublicKey> keys;
  for (const std::string& p : paths) {
    GF_ASSIGN_OR_RETURN(c4gh::PublicKey pk, c4gh::ReadPublicKeyFile(p));
    keys.push_back(pk);
  }
  return keys;
}

Result<std::optional<c4gh::PublicKey>> LoadOptionalPublic(const std::string& path) {
  if (path.empty()) return std::optional<c4gh::PublicKey>();
  GF_ASSIGN_OR_RETURN(c4gh::PublicKey pk, c4gh::ReadPublicKeyFile(path));
  return std::optional<c4gh::PublicKey>(pk);
}

Result<c4gh::ByteRange> RangeOf(const std::string& text) {
  if (text.empty()) return c4gh::ByteRange{};
  return c4gh::ParseByteRange(text);
}

// Input and output streams of a command: files or stdin/stdout.
struct Streams {
  std::unique_ptr<c4gh::Reader> in;
  std::unique_ptr<c4gh::AtomicFileWriter> file_out;
  std::unique_ptr<c4gh::FdWriter> std_out;
  c4gh::Writer& out() { return file_out ? static_cast<c4gh::Writer&>(*file_out) : *std_out; }
  // Publishes the -o file (or flushes stdout) once the command has succeeded.
  Status Finish() { return file_out ? file_out->Commit() : std_out->Flush(); }
};

// `private_output`: the output is plaintext (decrypt), created 0600.
Result<Streams> OpenStreams(const std::string& input, const std::string& output,
                            bool private_output = false) {
  Streams s;
  if (input.empty() || input == "-") {
    s.in = std::make_unique<c4gh::FdReader>(STDIN_FILENO);
  } else {
    GF_ASSIGN_OR_RETURN(std::unique_ptr<c4gh::FdReader> r, c4gh::FdReader::Open(input));
    s.in = std::move(r);
  }
  if (output.empty() || output == "-") {
    s.std_out = std::make_unique<c4gh::FdWriter>(STDOUT_FILENO);
  } else {
    // A killed command must not leave its partial output (plaintext, for decrypt) behind.
    c4gh::RemoveTemporaryFilesOnSignals();
    s.file_out = std::make_unique<c4gh::AtomicFileWriter>();
    GF_RETURN_IF_ERROR(private_output ? s.file_out->OpenPrivate(output)
                                      : s.file_out->OpenHonouringUmask(output));
  }
  return s;
}

struct CommonFlags {
  std::string input;
  std::string output;
};

void AddIo(CLI::App* cmd, CommonFlags& f) {
  cmd->add_option("-i,--input", f.input, "Input file (default: standard input)");
  cmd->add_option("-o,--output", f.output,
                  "Output file, written only if the command succeeds (default: standard output)");
}

struct KeygenFlags {
  std::string sk = "mykey.sec";
  std::string pk = "mykey.pub";
  std::string kdf = "scrypt";
  std::string comment;
  bool nocrypt = false;
  bool force = false;
};

Status RunKeygen(const KeygenFlags& f) {
  GF_ASSIGN_OR_RETURN(c4gh::KeyPair pair, c4gh::GenerateKeyPair());
  c4gh::SecretKeyFormat format;
  GF_ASSIGN_OR_RETURN(format.kdf, c4gh::KdfFromName(f.kdf));
  format.comment = f.comment;
  std::string passphrase;
  if (!f.nocrypt && format.kdf != c4gh::Kdf::kNone) {
    if (const char* env = std::getenv(kPassphraseVar); env != nullptr) {
      passphrase = env;
    } else {
      GF_ASSIGN_OR_RETURN(passphrase, Prompt("Passphrase for " + f.sk + ": "));
      GF_ASSIGN_OR_RETURN(std::string again, Prompt("Passphrase (again): "));
      bool same = again == passphrase;
      c4gh::Wipe(again);
      if (!same) {
        c4gh::Wipe(passphrase);
        return InvalidArgument("the passphrases differ");
      }
    }
    if (passphrase.empty()) {
      return InvalidArgument("empty passphrase: give one, or use --nocrypt for an unprotected key");
    }
  }
  c4gh::RemoveTemporaryFilesOnSignals();
  Status s = c4gh::WriteKeyPairFiles(pair, f.sk, f.pk, passphrase, format, f.force);
  c4gh::Wipe(passphrase);
  return s;
}

struct EncryptFlags {
  CommonFlags io;
  std::vector<std::string> recipients;
  std::string sk;
  std::string range;
};

Status RunEncrypt(const EncryptFlags& f) {
  c4gh::EncryptOptions options;
  GF_ASSIGN_OR_RETURN(options.recipients, LoadPublics(f.recipients));
  std::optional<c4gh::KeyPair> writer;
  if (!f.sk.empty()) {
    GF_ASSIGN_OR_RETURN(writer, LoadSecret(f.sk));
    options.writer = &*writer;
  }
  // Only the segments overlapping the range are encrypted (see EncryptOptions::range).
  GF_ASSIGN_OR_RETURN(options.range, RangeOf(f.range));
  GF_ASSIGN_OR_RETURN(Streams s, OpenStreams(f.io.input, f.io.output));
  GF_ASSIGN_OR_RETURN(c4gh::EncryptStats stats, c4gh::Encrypt(*s.in, s.out(), options));
  (void)stats;
  return s.Finish();
}

struct DecryptFlags {
  CommonFlags io;
  std::string sk;
  std::string sender_pk;
  std::string range;
};

Status RunDecrypt(const DecryptFlags& f) {
  GF_ASSIGN_OR_RETURN(c4gh::KeyPair reader, LoadSecret(f.sk));
  c4gh::DecryptOptions options;
  GF_ASSIGN_OR_RETURN(options.sender_pk, LoadOptionalPublic(f.sender_pk));
  GF_ASSIGN_OR_RETURN(options.range, RangeOf(f.range));
  GF_ASSIGN_OR_RETURN(Streams s, OpenStreams(f.io.input, f.io.output, /*private_output=*/true));
  GF_ASSIGN_OR_RETURN(uint64_t n, c4gh::Decrypt(*s.in, s.out(), reader, options));
  (void)n;
  return s.Finish();
}

struct ReencryptFlags {
  CommonFlags io;
  std::string sk;
  std::vector<std::string> recipients;
  std::string sender_pk;
  std::string writer_sk;
  bool trim = false;
};

Status RunReencrypt(const ReencryptFlags& f) {
  GF_ASSIGN_OR_RETURN(c4gh::KeyPair reader, LoadSecret(f.sk));
  GF_ASSIGN_OR_RETURN(std::vector<c4gh::PublicKey> recipients, LoadPublics(f.recipients));
  c4gh::ReencryptOptions options;
  GF_ASSIGN_OR_RETURN(options.sender_pk, LoadOptionalPublic(f.sender_pk));
  options.trim = f.trim;
  std::optional<c4gh::KeyPair> writer;
  if (!f.writer_sk.empty()) {
    GF_ASSIGN_OR_RETURN(writer, LoadSecret(f.writer_sk));
  }
  GF_ASSIGN_OR_RETURN(Streams s, OpenStreams(f.io.input, f.io.output));
  GF_RETURN_IF_ERROR(
      c4gh::Reencrypt(*s.in, s.out(), reader, recipients, writer ? &*writer : nullptr, options));
  return s.Finish();
}

struct RearrangeFlags {
  CommonFlags io;
  std::string sk;
  std::vector<std::string> recipients;
  std::string sender_pk;
  std::string range;
};

Status RunRearrange(const RearrangeFlags& f) {
  GF_ASSIGN_OR_RETURN(c4gh::KeyPair reader, LoadSecret(f.sk));
  std::vector<c4gh::PublicKey> recipients;
  if (f.recipients.empty()) {
    recipients.push_back(reader.public_key);  // the reference tool rearranges for oneself
  } else {
    GF_ASSIGN_OR_RETURN(recipients, LoadPublics(f.recipients));
  }
  GF_ASSIGN_OR_RETURN(std::optional<c4gh::PublicKey> sender, LoadOptionalPublic(f.sender_pk));
  GF_ASSIGN_OR_RETURN(c4gh::ByteRange range, c4gh::ParseByteRange(f.range));
  GF_ASSIGN_OR_RETURN(Streams s, OpenStreams(f.io.input, f.io.output));
  GF_RETURN_IF_ERROR(
      c4gh::Rearrange(*s.in, s.out(), reader, range, recipients, /*writer=*/nullptr, sender));
  return s.Finish();
}

}  // namespace

void RegisterCrypt4gh(CLI::App& root, CommandContext& ctx) {
  CLI::App* c4 = root.add_subcommand(
      "crypt4gh", "GA4GH Crypt4GH v1: make keys; encrypt, decrypt, re-encrypt, rearrange files");
  c4->require_subcommand(1);

  auto keygen_flags = std::make_shared<KeygenFlags>();
  CLI::App* keygen = c4->add_subcommand("keygen", "Make an X25519 key pair (c4gh-v1 files)");
  keygen->add_option("--sk", keygen_flags->sk, "Secret key file to write")->capture_default_str();
  keygen->add_option("--pk", keygen_flags->pk, "Public key file to write")->capture_default_str();
  keygen->add_option("--kdf", keygen_flags->kdf, "scrypt | bcrypt | pbkdf2_hmac_sha256")
      ->capture_default_str();
  keygen->add_option("-C,--comment", keygen_flags->comment, "Comment stored in the key");
  keygen->add_flag("--nocrypt", keygen_flags->nocrypt, "Do not protect the secret key");
  keygen->add_flag("-f,--force", keygen_flags->force, "Overwrite existing key files");
  keygen->callback(
      [&ctx, keygen_flags] { Report(ctx, "crypt4gh keygen", RunKeygen(*keygen_flags)); });

  auto enc = std::make_shared<EncryptFlags>();
  CLI::App* encrypt = c4->add_subcommand("encrypt", "Encrypt for one or more recipients");
  encrypt->add_option("--recipient-pk", enc->recipients, "Recipient public key (repeatable)")
      ->required();
  encrypt->add_option("--sk", enc->sk, "Writer secret key (default: a fresh ephemeral key)");
  encrypt->add_option("--range", enc->range,
                      "Encrypt only START-END (end excluded): the 64 KiB segments it overlaps, "
                      "with an edit list trimming them to the range");
  AddIo(encrypt, enc->io);
  encrypt->callback([&ctx, enc] { Report(ctx, "crypt4gh encrypt", RunEncrypt(*enc)); });

  auto dec = std::make_shared<DecryptFlags>();
  CLI::App* decrypt = c4->add_subcommand("decrypt", "Decrypt (all or a byte range)");
  decrypt->add_option("--sk", dec->sk, "Reader secret key")->required();
  decrypt->add_option("--sender-pk", dec->sender_pk,
                      "Accept only header packets written by this public key");
  decrypt->add_option("--range", dec->range,
                      "Plaintext bytes START-END (end excluded), START- or START");
  AddIo(decrypt, dec->io);
  decrypt->callback([&ctx, dec] { Report(ctx, "crypt4gh decrypt", RunDecrypt(*dec)); });

  auto re = std::make_shared<ReencryptFlags>();
  CLI::App* reencrypt =
      c4->add_subcommand("reencrypt", "New header for other recipients; body unchanged");
  reencrypt->add_option("--sk", re->sk, "Reader secret key")->required();
  reencrypt->add_option("--recipient-pk", re->recipients, "Recipient public key (repeatable)")
      ->required();
  reencrypt->add_option("--sender-pk", re->sender_pk,
                        "Accept only header packets written by this public key");
  reencrypt->add_option("--writer-sk", re->writer_sk,
                        "Sign the new header packets with this key (default: ephemeral)");
  reencrypt->add_flag("-t,--trim", re->trim, "Drop header packets that are not for --sk");
  AddIo(reencrypt, re->io);
  reencrypt->callback([&ctx, re] { Report(ctx, "crypt4gh reencrypt", RunReencrypt(*re)); });

  auto ra = std::make_shared<RearrangeFlags>();
  CLI::App* rearrange = c4->add_subcommand(
      "rearrange", "Keep only the segments of a byte range, with a matching edit list");
  rearrange->add_option("--sk", ra->sk, "Reader secret key")->required();
  rearrange->add_option("--range", ra->range, "Plaintext bytes START-END (end excluded)")
      ->required();
  rearrange->add_option("--recipient-pk", ra->recipients,
                        "Recipient public key (repeatable; default: the --sk key itself)");
  rearrange->add_option("--sender-pk", ra->sender_pk,
                        "Accept only header packets written by this public key");
  AddIo(rearrange, ra->io);
  rearrange->callback([&ctx, ra] { Report(ctx, "crypt4gh rearrange", RunRearrange(*ra)); });
}

}  // namespace genomefed::cli
