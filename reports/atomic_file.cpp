#include "reports/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace rb {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw std::runtime_error("cannot write " + path + ": " + reason);
}

void write_all(int fd, const char* data, std::size_t size, const std::string& path) {
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = ::write(fd, data + written, size - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      fail(path, std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
}

// A stream buffer that writes to a file descriptor in 64 KiB blocks; a failed write throws
// the same error as write_all().
class DescriptorBuffer : public std::streambuf {
 public:
  DescriptorBuffer(int fd, const std::string& path) : fd_(fd), path_(path) {
    setp(buffer_, buffer_ + sizeof buffer_);
  }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  void drain() {
    write_all(fd_, pbase(), static_cast<std::size_t>(pptr() - pbase()), path_);
    setp(buffer_, buffer_ + sizeof buffer_);
  }

  int fd_;
  const std::string& path_;
  char buffer_[64 * 1024];
};

// The temporary file being written, for remove_temporary_file_in_progress(). Only one
// thread writes reports, so one slot is enough.
char g_temporary_path[4096];
std::atomic<bool> g_temporary_set{false};
static_assert(std::atomic<bool>::is_always_lock_free);

// Creates the temporary file for `path` from the template PATH.tmp.XXXXXX and returns its
// descriptor (or -1 with errno set) and name. mkstemp fills in the template in the tracked
// buffer itself, so there is no moment at which the file exists under a name the signal
// handler does not know. A handler that runs while the name is half filled in unlinks a
// name that does not exist, which is harmless.
int create_tracked_temporary(const std::string& path, std::string& temp) {
  temp = path + ".tmp.XXXXXX";
  if (temp.size() >= sizeof g_temporary_path) {
    return ::mkstemp(temp.data());  // too long to track: only a normal exit cleans it up
  }
  std::memcpy(g_temporary_path, temp.c_str(), temp.size() + 1);
  g_temporary_set.store(true);
  const int fd = ::mkstemp(g_temporary_path);
  const int error = errno;
  temp = g_temporary_path;
  if (fd < 0) {
    g_temporary_set.store(false);
  }
  errno = error;
  return fd;
}

void untrack_temporary() {
  g_temporary_set.store(false);
}

// Creates the temporary file, lets `fill` write it, then flushes it and renames it over
// `path`; on any failure removes it and throws.
void write_through_temporary(const std::string& path, const std::function<void(int)>& fill);

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  write_through_temporary(path,
                          [&](int fd) { write_all(fd, content.data(), content.size(), path); });
}

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& produce) {
  write_through_temporary(path, [&](int fd) {
    DescriptorBuffer buffer(fd, path);
    std::ostream out(&buffer);
    out.exceptions(std::ios::badbit | std::ios::failbit);
    produce(out);
    out.flush();
  });
}

namespace {

void write_through_temporary(const std::string& path, const std::function<void(int)>& fill) {
  // mkstemp gives a unique name, so two writers of the same file never share a temporary.
  std::string temp;
  const int fd = create_tracked_temporary(path, temp);
  if (fd < 0) {
    fail(path, std::strerror(errno));
  }
  try {
    fill(fd);
    if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
      fail(path, std::strerror(errno));
    }
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    untrack_temporary();
    throw;
  }
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    untrack_temporary();
    fail(path, std::strerror(error));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    untrack_temporary();
    fail(path, std::strerror(error));
  }
  untrack_temporary();
}

}  // namespace

void remove_temporary_file_in_progress() {
  if (g_temporary_set.load()) {
    ::unlink(g_temporary_path);
  }
}

}  // namespace rb
