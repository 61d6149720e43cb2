#include "crypt4gh/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <random>

#include "core/file.h"

namespace genomefed::crypt4gh {

namespace {
constexpr size_t kWriteBuffer = 1 << 20;

// Temporary files of open AtomicFileWriters, readable from a signal handler: fixed slots, each
// claimed with a compare-and-swap (0 free, 1 being filled or emptied, 2 holds a path).
constexpr int kTempSlots = 64;
struct TempSlot {
  std::atomic<int> state{0};
  char path[4096];
};
TempSlot g_temp_slots[kTempSlots];

int RegisterTemp(const std::filesystem::path& path) {
  const std::string& p = path.native();
  if (p.size() >= sizeof(TempSlot::path)) return -1;
  for (int i = 0; i < kTempSlots; ++i) {
    int expected = 0;
    if (g_temp_slots[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_temp_slots[i].path, p.c_str(), p.size() + 1);
      g_temp_slots[i].state.store(2);
      return i;
    }
  }
  return -1;  // more than kTempSlots open writers: this one is not cleaned up on a signal
}

void UnregisterTemp(int slot) {
  if (slot < 0) return;
  g_temp_slots[slot].state.store(1);
  g_temp_slots[slot].path[0] = '\0';
  g_temp_slots[slot].state.store(0);
}

extern "C" void RemoveTempsAndDie(int sig) {
  for (TempSlot& slot : g_temp_slots) {
    if (slot.state.load() == 2) ::unlink(slot.path);  // async-signal-safe
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void RemoveTemporaryFilesOnSignals() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  struct sigaction sa {};
  sa.sa_handler = RemoveTempsAndDie;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    sigaddset(&sa.sa_mask, sig);
  }
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

Result<uint64_t> Reader::Skip(uint64_t n) {
  std::array<uint8_t, 65536> scratch;
  uint64_t done = 0;
  while (done < n) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(scratch.size(), n - done));
    GF_ASSIGN_OR_RETURN(size_t got, Read(std::span<uint8_t>(scratch.data(), want)));
    if (got == 0) break;
    done += got;
  }
  return done;
}

Result<size_t> ReadFull(Reader& reader, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    GF_ASSIGN_OR_RETURN(size_t got, reader.Read(out.subspan(done)));
    if (got == 0) break;
    done += got;
  }
  return done;
}

FdReader::FdReader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

FdReader::~FdReader() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<FdReader>> FdReader::Open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = "cannot open " + path.string() + ": " + ErrnoMessage(err);
    return err == ENOENT ? NotFound(msg) : IOError(msg);
  }
  auto reader = std::make_unique<FdReader>(fd, path.string());
  reader->owned_ = true;
  return reader;
}

Result<size_t> FdReader::Read(std::span<uint8_t> out) {
  while (true) {
    ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return IOError("read " + name_ + ": " + ErrnoMessage(errno));
  }
}

Result<uint64_t> FdReader::Skip(uint64_t n) {
  struct stat st {};
  if (n > 0 && ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t pos = ::lseek(fd_, 0, SEEK_CUR);
    if (pos >= 0) {
      uint64_t left = static_cast<uint64_t>(st.st_size) > static_cast<uint64_t>(pos)
                          ? static_cast<uint64_t>(st.st_size) - static_cast<uint64_t>(pos)
                          : 0;
      uint64_t step = std::min(n, left);
      if (::lseek(fd_, static_cast<off_t>(step), SEEK_CUR) >= 0) return step;
    }
  }
  return Reader::Skip(n);
}

Result<size_t> MemoryReader::Read(std::span<uint8_t> out) {
  size_t n = std::min(out.size(), data_.size() - pos_);
  std::copy_n(data_.data() + pos_, n, out.data());
  pos_ += n;
  return n;
}

Result<uint64_t> MemoryReader::Skip(uint64_t n) {
  uint64_t step = std::min<uint64_t>(n, data_.size() - pos_);
  pos_ += static_cast<size_t>(step);
  return step;
}

Result<size_t> ConcatReader::Read(std::span<uint8_t> out) {
  while (current_ < parts_.size()) {
    GF_ASSIGN_OR_RETURN(size_t got, parts_[current_]->Read(out));
    if (got > 0 || out.empty()) return got;
    ++current_;
  }
  return size_t{0};
}

Result<uint64_t> ConcatReader::Skip(uint64_t n) {
  uint64_t done = 0;
  while (done < n && current_ < parts_.size()) {
    GF_ASSIGN_OR_RETURN(uint64_t got, parts_[current_]->Skip(n - done));
    done += got;
    if (done < n) ++current_;  // this part is exhausted
  }
  return done;
}

FdWriter::~FdWriter() { (void)Flush(); }

Status FdWriter::Write(std::span<const uint8_t> data) {
  if (buffer_.size() + data.size() > kWriteBuffer) GF_RETURN_IF_ERROR(Flush());
  if (data.size() >= kWriteBuffer) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return IOError("write " + name_ + ": " + ErrnoMessage(errno));
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }
  buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
  return Status::Ok();
}

Status FdWriter::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      buffer_.clear();
      return IOError("write " + name_ + ": " + ErrnoMessage(errno));
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
  UnregisterTemp(signal_slot_);
}

Status AtomicFileWriter::Open(const std::filesystem::path& target, unsigned mode) {
  return OpenWithMode(target, mode, /*exact=*/true);
}

Status AtomicFileWriter::OpenPrivate(const std::filesystem::path& target) {
  return OpenWithMode(target, 0600, /*exact=*/false);
}

Status AtomicFileWriter::OpenHonouringUmask(const std::filesystem::path& target) {
  return OpenWithMode(target, 0666, /*exact=*/false);
}

Status AtomicFileWriter::OpenWithMode(const std::filesystem::path& target, unsigned mode,
                                      bool exact) {
  target_ = target;
  std::random_device rd;
  std::filesystem::path dir = target.parent_path();
  for (int attempt = 0; attempt < 16; ++attempt) {
    temp_ = dir / ("." + target.filename().string() + ".tmp-" + std::to_string(rd()));
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd_ >= 0) break;
    if (errno != EEXIST) {
      int err = errno;
      temp_.clear();
      return IOError("cannot create a file beside " + target.string() + ": " + ErrnoMessage(err));
    }
  }
  if (fd_ < 0) return IOError("cannot create a temporary file beside " + target.string());
  signal_slot_ = RegisterTemp(temp_);
  if (exact) {
    // open() applies the umask; a secret key must end up exactly at `mode`.
    if (::fchmod(fd_, mode) != 0)
      return IOError("chmod " + temp_.string() + ": " + ErrnoMessage(errno));
  } else {
    // open() applied the umask to `mode`. Replacing a file: keep its permission bits (never
    // wider than they were; set-id bits dropped).
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::fchmod(fd_, st.st_mode & 0777) != 0)
        return IOError("chmod " + temp_.string() + ": " + ErrnoMessage(errno));
    }
  }
  buffer_.reserve(kWriteBuffer);
  return Status::Ok();
}

Status AtomicFileWriter::FlushBuffer() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOError("write " + temp_.string() + ": " + ErrnoMessage(errno));
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

Status AtomicFileWriter::Write(std::span<const uint8_t> data) {
  if (fd_ < 0) return FailedPrecondition("write to a file that is not open: " + target_.string());
  bytes_ += data.size();
  if (buffer_.size() + data.size() > kWriteBuffer) GF_RETURN_IF_ERROR(FlushBuffer());
  buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
  if (buffer_.size() >= kWriteBuffer) return FlushBuffer();
  return Status::Ok();
}

Status AtomicFileWriter::Commit() {
  if (committed_) return Status::Ok();
  if (fd_ < 0) return FailedPrecondition("commit of a file that is not open: " + target_.string());
  GF_RETURN_IF_ERROR(FlushBuffer());
  if (::fsync(fd_) != 0) return IOError("fsync " + temp_.string() + ": " + ErrnoMessage(errno));
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return IOError("close " + temp_.string() + ": " + ErrnoMessage(errno));
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    return IOError("rename " + temp_.string() + " -> " + target_.string() + ": " +
                   ErrnoMessage(errno));
  }
  committed_ = true;
  UnregisterTemp(signal_slot_);
  signal_slot_ = -1;
  std::filesystem::path dir = target_.parent_path();
  return SyncPath(dir.empty() ? std::filesystem::path(".") : dir);
}

}  // namespace genomefed::crypt4gh
