#include "files/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "codecs/core/error.h"
#include "files/interrupt.h"
#include "files/printable.h"
#include "files/standard_streams.h"

namespace lcz {
namespace fs = std::filesystem;

namespace {

std::string reason() { return std::strerror(errno); }

void write_all(int fd, std::span<const uint8_t> bytes, const std::string& name) {
  size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_input(name + ": cannot write: " + reason());
    if (n == 0) throw_input(name + ": cannot write: no progress");
    at += static_cast<size_t>(n);
  }
}

fs::path folder_of(const fs::path& target) { return target.has_parent_path() ? target.parent_path() : fs::path("."); }

// ".NAME.tmp-XXXXXX" beside the target (hidden; the rename stays in one file system), with six
// random letters or digits.
fs::path hidden_name_beside(const fs::path& target) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  uint8_t random[6] = {};
  if (::getrandom(random, sizeof random, 0) != sizeof random) {  // never short for 6 bytes; a fallback anyway
    const uint64_t t = static_cast<uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ull ^ reinterpret_cast<uintptr_t>(&random);
    for (int i = 0; i < 6; ++i) random[i] = static_cast<uint8_t>(t >> (8 * i));
  }
  std::string name = ".";  // appended, not "." + ...: GCC 12 warns falsely (-Wrestrict) on that
  name += target.filename().string();
  name += ".tmp-";
  for (uint8_t r : random) name += letters[r % (sizeof letters - 1)];
  return folder_of(target) / name;
}

// Unnamed files are linked into place through /proc/self/fd (linkat with AT_EMPTY_PATH needs a
// capability most users lack).
std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the file is in place; only its durability across a crash is at stake
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void require_replaceable(const fs::path& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return;
  const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  throw_config(printable(target.string()) + ": is " + what + "; an output is written only as a regular file, and " + what +
               " is never replaced (not even with --force)");
}

AtomicFile::AtomicFile(const fs::path& target, bool overwrite)
    : target_(target), overwrite_(overwrite), stdout_(target == "-") {
  if (stdout_) {
    if (standard_stream_was_closed(STDOUT_FILENO))
      throw_config("-: standard output is closed (the tool was started without it); name an output file");
    return;
  }
  const std::string name = printable(target.string());
  if (target.empty()) throw_config("an empty output file name");
  if (!target.has_filename()) throw_config(name + ": is a directory, not a file name");
  require_replaceable(target);
  struct stat st {};
  if (!overwrite && ::lstat(target.c_str(), &st) == 0)
    throw_config(name + ": exists; it is kept (give --force to overwrite it)");
  const fs::path dir = folder_of(target);
  fd_ = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (fd_ >= 0 && ::access(proc_fd_path(fd_).c_str(), F_OK) != 0) {  // no /proc: it could never be named
    ::close(fd_);
    fd_ = -1;
  }
  if (fd_ >= 0) return;
  // No O_TMPFILE here (some file systems, old kernels): a named hidden file, removed on signals.
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    fs::path temp = hidden_name_beside(target);
    auto guard = std::make_unique<RemovedOnSignal>(temp.string());
    fd_ = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ >= 0) {
      temp_ = std::move(temp);
      guard_ = std::move(guard);
    } else if (errno != EEXIST) {
      throw_input(name + ": cannot create a file in " + printable(dir.string()) + ": " + reason());
    }
  }
  if (fd_ < 0) throw_input(name + ": cannot create a temporary file in " + printable(dir.string()) + ": " + reason());
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::write(std::span<const uint8_t> bytes) {
  if (committed_) throw Error(ErrorKind::codec, target_.string() + ": written after commit");
  if (stdout_) write_all(STDOUT_FILENO, bytes, "standard output");
  else write_all(fd_, bytes, printable(target_.string()));
}

void AtomicFile::commit() {
  if (stdout_) {
    committed_ = true;
    return;
  }
  const std::string name = printable(target_.string());
  if (!temp_.empty()) {  // mkstemp-like 0600; give it what a new file gets
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd_, 0666 & ~mask) != 0) throw_input(name + ": cannot set its permissions: " + reason());
  }
  if (::fsync(fd_) != 0) throw_input(name + ": cannot flush to disk: " + reason());
  require_replaceable(target_);  // it may have become a FIFO or folder while we worked
  put_in_place();
  ::close(fd_);
  fd_ = -1;
  committed_ = true;
  guard_.reset();
  sync_folder(folder_of(target_));
}

void AtomicFile::put_in_place() {
  const std::string name = printable(target_.string());
  auto refuse_appeared = [&] {
    throw_config(name + ": appeared while writing; it is kept (give --force to overwrite it)");
  };
  if (temp_.empty()) {  // unnamed: give it the target's name, or a hidden one to rename from
    const std::string from = proc_fd_path(fd_);
    if (!overwrite_) {
      if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, target_.c_str(), AT_SYMLINK_FOLLOW) == 0) return;
      if (errno == EEXIST) refuse_appeared();
      throw_input(name + ": cannot put the finished file in place: " + reason());
    }
    for (int attempt = 0; attempt < 100 && temp_.empty(); ++attempt) {
      fs::path temp = hidden_name_beside(target_);
      auto guard = std::make_unique<RemovedOnSignal>(temp.string());
      if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        temp_ = std::move(temp);
        guard_ = std::move(guard);
      } else if (errno != EEXIST) {
        throw_input(name + ": cannot put the finished file in place: " + reason());
      }
    }
    if (temp_.empty()) throw_input(name + ": cannot name the finished file: " + reason());
  }
  const int rc = overwrite_ ? ::rename(temp_.c_str(), target_.c_str())
                            : ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE);
  if (rc == 0) return;
  if (errno == EEXIST) refuse_appeared();
  throw_input(name + ": cannot rename the finished file into place: " + reason());
}

}  // namespace lcz
