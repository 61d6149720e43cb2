// Byte-stream seams for Crypt4GH (GA4GH Crypt4GH v1) and its users: abstract Reader and Writer
// interfaces with implementations over file descriptors, files, memory and concatenations.
//
// Encryption, decryption, re-encryption and the archive only ever see these interfaces, so the
// same code streams from a file, a pipe, an in-memory buffer or (later) an HTTP body in htsget
// and DRS, and tests can inject faults. None of the classes is thread-safe; each is used by one
// thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace genomefed::crypt4gh {

// A source of bytes read front to back.
class Reader {
 public:
  virtual ~Reader() = default;

  // Reads up to out.size() bytes into out. Returns 0 only at the end of the stream; a short
  // count otherwise just means "try again" (pipes).
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;

  // Skips up to n bytes and returns how many were skipped (fewer only at the end of the
  // stream). The default reads and discards; seekable readers override it to seek, which is what
  // makes range access decrypt only the segments it needs.
  virtual Result<uint64_t> Skip(uint64_t n);
};

// Reads until out is full or the stream ends; returns the number of bytes read.
Result<size_t> ReadFull(Reader& reader, std::span<uint8_t> out);

// A sink of bytes.
class Writer {
 public:
  virtual ~Writer() = default;
  virtual Status Write(std::span<const uint8_t> data) = 0;
  Status Write(std::string_view data) {
    return Write(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }
  // Pushes buffered bytes to the operating system (not necessarily to disk).
  virtual Status Flush() { return Status::Ok(); }
};

// Reads a file descriptor. Owns (and closes) it only when made by Open(). Skip() seeks on
// regular files and reads on pipes.
class FdReader final : public Reader {
 public:
  explicit FdReader(int fd, std::string name = "stdin");
  ~FdReader() override;
  FdReader(const FdReader&) = delete;
  FdReader& operator=(const FdReader&) = delete;

  static Result<std::unique_ptr<FdReader>> Open(const std::filesystem::path& path);

  Result<size_t> Read(std::span<uint8_t> out) override;
  Result<uint64_t> Skip(uint64_t n) override;

 private:
  int fd_;
  bool owned_ = false;
  std::string name_;
};

// Reads a borrowed memory region; the bytes must outlive the reader.
class MemoryReader final : public Reader {
 public:
  explicit MemoryReader(std::span<const uint8_t> data) : data_(data) {}
  explicit MemoryReader(std::string_view data)
      : data_(reinterpret_cast<const uint8_t*>(data.data()), data.size()) {}
  Result<size_t> Read(std::span<uint8_t> out) override;
  Result<uint64_t> Skip(uint64_t n) override;
  uint64_t position() const { return pos_; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// Reads a std::string that it owns (e.g. a freshly made header).
class StringReader final : public Reader {
 public:
  explicit StringReader(std::string data) : data_(std::move(data)), reader_(data_) {}
  StringReader(const StringReader&) = delete;
  StringReader& operator=(const StringReader&) = delete;
  Result<size_t> Read(std::span<uint8_t> out) override { return reader_.Read(out); }
  Result<uint64_t> Skip(uint64_t n) override { return reader_.Skip(n); }

 private:
  std::string data_;
  MemoryReader reader_;
};

// Reads several readers one after the other (e.g. a re-encrypted header, then a stored body).
// Borrowed readers must outlive this one; owned ones are kept alive by it.
class ConcatReader final : public Reader {
 public:
  ConcatReader() = default;
  void Add(Reader* reader) { parts_.push_back(reader); }
  void Add(std::unique_ptr<Reader> reader) {
    parts_.push_back(reader.get());
    owned_.push_back(std::move(reader));
  }
  Result<size_t> Read(std::span<uint8_t> out) override;
  Result<uint64_t> Skip(uint64_t n) override;

 private:
  std::vector<Reader*> parts_;
  std::vector<std::unique_ptr<Reader>> owned_;
  size_t current_ = 0;
};

// Writes to a file descriptor it does not own (stdout by default), with a 1 MiB buffer.
class FdWriter final : public Writer {
 public:
  explicit FdWriter(int fd, std::string name = "stdout") : fd_(fd), name_(std::move(name)) {}
  ~FdWriter() override;
  Status Write(std::span<const uint8_t> data) override;
  using Writer::Write;
  Status Flush() override;

 private:
  int fd_;
  std::string name_;
  std::string buffer_;
};

// Appends to a borrowed std::string.
class StringWriter final : public Writer {
 public:
  explicit StringWriter(std::string* out) : out_(out) {}
  Status Write(std::span<const uint8_t> data) override {
    out_->append(reinterpret_cast<const char*>(data.data()), data.size());
    return Status::Ok();
  }
  using Writer::Write;

 private:
  std::string* out_;
};

// Counts and drops everything (benchmarks, size probes).
class NullWriter final : public Writer {
 public:
  Status Write(std::span<const uint8_t> data) override {
    bytes_ += data.size();
    return Status::Ok();
  }
  using Writer::Write;
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t bytes_ = 0;
};

// A file published atomically: bytes go to a hidden sibling temporary file which Commit()
// fsyncs and renames over the target (then fsyncs the directory). Destroyed without Commit(),
// the temporary file is removed, so a failed or interrupted write never leaves a partial
// target behind.
class AtomicFileWriter final : public Writer {
 public:
  AtomicFileWriter() = default;
  ~AtomicFileWriter() override;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // `mode` is exactly the permission of the new file, whatever the umask (0600 for secret keys).
  Status Open(const std::filesystem::path& target, unsigned mode = 0644);
  // For plaintext: a new file gets 0600 (the umask can only narrow it); replacing an existing
  // file keeps that file's permission bits, so its mode is never widened.
  Status OpenPrivate(const std::filesystem::path& target);
  // As a shell redirection would: a new file gets 0666 minus the umask; an existing file keeps
  // its permission bits.
  Status OpenHonouringUmask(const std::filesystem::path& target);
  Status Write(std::span<const uint8_t> data) override;
  using Writer::Write;
  Status Commit();
  uint64_t bytes() const { return bytes_; }

 private:
  Status OpenWithMode(const std::filesystem::path& target, unsigned mode, bool exact);
  Status FlushBuffer();
  int signal_slot_ = -1;  // registration for RemoveTemporaryFilesOnSignals
  int fd_ = -1;
  std::filesystem::path target_;
  std::filesystem::path temp_;
  std::string buffer_;
  uint64_t bytes_ = 0;
  bool committed_ = false;
};

// Makes SIGINT, SIGTERM and SIGHUP remove the temporary files of every AtomicFileWriter that is
// still open (a killed `crypt4gh decrypt -o` leaves no partial plaintext), then end the process
// by the same signal. For command-line tools; servers keep their own handlers. Idempotent.
void RemoveTemporaryFilesOnSignals();

}  // namespace genomefed::crypt4gh
