#include "core/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace genomefed {

std::string ErrnoMessage(int err) { return std::strerror(err); }

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path.string() + ": " + ErrnoMessage(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IOError("cannot read " + path.string());
  return ss.str();
}

Status SyncPath(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOError("cannot open " + path.string() + " to sync: " + ErrnoMessage(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IOError("fsync " + path.string() + ": " + ErrnoMessage(err));
  return Status::Ok();
}

Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  FileWriter writer;
  GF_RETURN_IF_ERROR(writer.Open(tmp));
  GF_RETURN_IF_ERROR(writer.Append(data));
  GF_RETURN_IF_ERROR(writer.Close());
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return IOError("rename " + tmp.string() + " -> " + path.string() + ": " + ErrnoMessage(errno));
  }
  std::filesystem::path dir = path.parent_path();
  return SyncPath(dir.empty() ? std::filesystem::path(".") : dir);
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileWriter::Open(const std::filesystem::path& path) {
  path_ = path.string();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return IOError("cannot create " + path_ + ": " + ErrnoMessage(errno));
  offset_ = 0;
  buffer_.clear();
  buffer_.reserve(1 << 20);
  return Status::Ok();
}

Status FileWriter::Append(std::string_view data) {
  if (fd_ < 0) return FailedPrecondition("write to a closed file " + path_);
  offset_ += data.size();
  if (buffer_.size() + data.size() > (1u << 20)) GF_RETURN_IF_ERROR(Flush());
  if (data.size() >= (1u << 20)) {
    buffer_.assign(data);
    return Flush();
  }
  buffer_.append(data);
  return Status::Ok();
}

Status FileWriter::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOError("write " + path_ + ": " + ErrnoMessage(errno));
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

Status FileWriter::Close(bool sync) {
  if (fd_ < 0) return Status::Ok();
  Status s = Flush();
  if (s.ok() && sync && ::fsync(fd_) != 0) {
    s = IOError("fsync " + path_ + ": " + ErrnoMessage(errno));
  }
  if (::close(fd_) != 0 && s.ok()) s = IOError("close " + path_ + ": " + ErrnoMessage(errno));
  fd_ = -1;
  return s;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr && size_ > 0) ::munmap(const_cast<uint8_t*>(data_), size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr && size_ > 0) ::munmap(const_cast<uint8_t*>(data_), size_);
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

Result<MappedFile> MappedFile::Open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot open " + path.string() + ": " + ErrnoMessage(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return IOError("stat " + path.string() + ": " + ErrnoMessage(err));
  }
  MappedFile mapped;
  mapped.size_ = static_cast<size_t>(st.st_size);
  if (mapped.size_ > 0) {
    void* p = ::mmap(nullptr, mapped.size_, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return IOError("mmap " + path.string() + ": " + ErrnoMessage(err));
    }
    mapped.data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  return mapped;
}

}  // namespace genomefed
