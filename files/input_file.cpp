#include "files/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "files/printable.h"
#include "files/standard_streams.h"

namespace lcz {
namespace fs = std::filesystem;

namespace {

std::string what_it_is(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "is a directory, not a file";
  if (S_ISFIFO(mode)) return "is a FIFO, not a regular file";
  if (S_ISCHR(mode)) return "is a character device, not a regular file";
  if (S_ISBLK(mode)) return "is a block device, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

std::string size_text(uint64_t bytes) { return std::to_string(bytes) + " bytes"; }

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads until end of file or max_bytes + 1 bytes (one more than allowed: refused).
std::vector<uint8_t> read_to_end(int fd, uint64_t expected, uint64_t max_bytes, const std::string& name, ErrorKind kind) {
  std::vector<uint8_t> bytes;
  bytes.reserve(static_cast<size_t>(expected));
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(kind, name + ": cannot read: " + std::strerror(errno));
    if (n == 0) break;
    if (bytes.size() + static_cast<size_t>(n) > max_bytes)
      throw Error(kind, name + ": more than the " + size_text(max_bytes) + " this reader accepts");
    bytes.insert(bytes.end(), buf, buf + n);
  }
  return bytes;
}

}  // namespace

std::string not_a_regular_file(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return what_it_is(st.st_mode);
  if (errno == ENOENT || errno == ENOTDIR) return "does not exist";
  return std::string("cannot be accessed: ") + std::strerror(errno);
}

std::vector<uint8_t> read_regular_file(const fs::path& path, uint64_t max_bytes, ErrorKind kind) {
  const std::string name = printable(path.string());
  auto fail = [&](const std::string& what) -> void { throw Error(kind, name + ": " + what); };
  if (path.empty()) fail("an empty file name");
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) fail("does not exist");
    fail(std::string("cannot open: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(std::string("cannot read its size: ") + std::strerror(errno));
  if (const std::string why = what_it_is(st.st_mode); !why.empty()) fail(why);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) fail(size_text(size) + ", more than the " + size_text(max_bytes) + " this reader accepts");
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  std::vector<uint8_t> bytes = read_to_end(fd.get(), size, max_bytes, name, kind);
  if (bytes.size() != size)
    fail("changed while it was read (" + size_text(size) + " when opened, " + size_text(bytes.size()) + " read)");
  return bytes;
}

std::vector<uint8_t> read_input_file(const std::string& path, uint64_t max_bytes, ErrorKind kind) {
  if (path != "-") return read_regular_file(path, max_bytes, kind);
  if (standard_stream_was_closed(STDIN_FILENO)) throw_input("standard input: is closed (the tool was started without it)");
  return read_to_end(STDIN_FILENO, 0, max_bytes, "standard input", kind);
}

std::string read_text_file(const fs::path& path, uint64_t max_bytes, ErrorKind kind) {
  const std::vector<uint8_t> bytes = read_regular_file(path, max_bytes, kind);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace lcz
