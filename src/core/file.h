// File-system seam: whole-file reads, crash-safe publication (write temp, fsync, rename, fsync
// directory) and read-only memory maps. Every durable write in genomefed goes through here so
// that "a crash leaves the old or the new state, never a mix" is implemented once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed {

Result<std::string> ReadFile(const std::filesystem::path& path);

// Writes `data` to `path` atomically: a sibling temp file, fsync, rename over `path`, fsync of
// the directory. Readers see the old or the new content, never a partial file.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data);

// fsyncs a file or directory by path.
Status SyncPath(const std::filesystem::path& path);

// Buffered append-only writer that fsyncs on Close(). Not thread-safe.
class FileWriter {
 public:
  FileWriter() = default;
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  Status Open(const std::filesystem::path& path);  // creates or truncates
  Status Append(std::string_view data);
  Status Append(const void* data, size_t size) {
    return Append(std::string_view(static_cast<const char*>(data), size));
  }
  uint64_t offset() const { return offset_; }
  // Flush + fsync + close; idempotent. Without `sync` the fsync is left to the caller (files
  // that are deleted after use, or synced by SyncPath while other work goes on).
  Status Close(bool sync = true);

 private:
  Status Flush();
  int fd_ = -1;
  std::string path_;
  std::string buffer_;
  uint64_t offset_ = 0;
};

// A read-only memory map of a whole file. Movable, unmaps on destruction. Thread-safe to read.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  static Result<MappedFile> Open(const std::filesystem::path& path);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// "<strerror(errno)>" helper for messages.
std::string ErrnoMessage(int err);

}  // namespace genomefed
