#include "container/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "codecs/core/error.h"

namespace lcz {
namespace {

void write_all(int fd, std::span<const uint8_t> bytes, const std::string& name) {
  size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_input(name + ": write failed: " + std::strerror(errno));
    at += static_cast<size_t>(n);
  }
}

}  // namespace

AtomicFile::AtomicFile(const std::filesystem::path& target, bool overwrite)
    : target_(target), overwrite_(overwrite), stdout_(target == "-") {
  if (stdout_) return;
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(std::filesystem::symlink_status(target, ec)))
    throw_config(target.string() + ": exists; it is kept (give --force to overwrite it)");
  if (std::filesystem::is_directory(target, ec)) throw_config(target.string() + ": is a directory, not a file name");
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string name = ".";  // hidden, beside the target: the rename stays in one file system
  name += target.filename().string();
  name += ".tmp-XXXXXX";
  std::string pattern = (dir / name).string();
  fd_ = ::mkstemp(pattern.data());
  if (fd_ < 0) throw_input(target.string() + ": cannot create a file in " + dir.string() + ": " + std::strerror(errno));
  temp_ = pattern;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::write(std::span<const uint8_t> bytes) {
  if (committed_) throw Error(ErrorKind::codec, target_.string() + ": written after commit");
  if (stdout_) write_all(STDOUT_FILENO, bytes, "standard output");
  else write_all(fd_, bytes, temp_.string());
}

void AtomicFile::commit() {
  if (stdout_) {
    committed_ = true;
    return;
  }
  const mode_t mask = ::umask(0);  // mkstemp made it 0600; give it what a new file gets
  ::umask(mask);
  if (::fchmod(fd_, 0666 & ~mask) != 0 || ::fsync(fd_) != 0)
    throw_input(temp_.string() + ": cannot flush: " + std::strerror(errno));
  ::close(fd_);
  fd_ = -1;
  const int rc = overwrite_ ? ::rename(temp_.c_str(), target_.c_str())
                            : ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE);
  if (rc != 0) {
    if (errno == EEXIST) throw_config(target_.string() + ": appeared while writing; it is kept (give --force to overwrite it)");
    throw_input(target_.string() + ": cannot rename the finished file into place: " + std::strerror(errno));
  }
  committed_ = true;
}

}  // namespace lcz
