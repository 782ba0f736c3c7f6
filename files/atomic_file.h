// An output file that appears whole or not at all, the one rule for every file lczip and
// harness (run, merge, report, gen) write. Bytes go to a temporary file beside the target:
// unnamed where the file system allows (Linux O_TMPFILE, named with linkat only when complete,
// so that even SIGKILL leaves nothing), else a unique hidden `.NAME.tmp-XXXXXX` that
// SIGINT/SIGTERM/SIGHUP remove (files/interrupt.h). It is flushed to disk (fsync) and then
// renamed onto the target. An existing target is kept unless overwriting was asked for; one
// that is not a regular file (a folder, FIFO, device, socket) is never replaced, even when
// asked. Both checks happen when the file is opened, before any work, and again when it is put
// in place. "-" writes to standard output.
#pragma once
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace lcz {

class RemovedOnSignal;

class AtomicFile {
 public:
  // Throws lcz::Error(config) when the target is empty, exists and !overwrite, or exists and
  // is not a regular file (or "-" while standard output is closed); (input) when the temporary
  // file cannot be created there (missing folder, no permission), with the reason.
  AtomicFile(const std::filesystem::path& target, bool overwrite);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends bytes to the temporary file (to standard output for "-"). Throws
  // lcz::Error(input) "<target>: cannot write: <reason>" (a full disk, a file size limit).
  void write(std::span<const uint8_t> bytes);
  // Flushes what was written to disk and puts it in place of the target.
  void commit();
  void commit(std::span<const uint8_t> bytes) {
    write(bytes);
    commit();
  }

  bool is_stdout() const { return stdout_; }
  const std::filesystem::path& target() const { return target_; }

 private:
  void put_in_place();
  std::filesystem::path target_, temp_;  // temp_ empty while the file is unnamed (O_TMPFILE)
  std::unique_ptr<RemovedOnSignal> guard_;  // while temp_ names a file
  int fd_ = -1;
  bool overwrite_, stdout_, committed_ = false;
};

// Throws lcz::Error(config) when target exists and is not a regular file (symbolic links
// followed), naming what it is: such a target is never replaced.
void require_replaceable(const std::filesystem::path& target);

}  // namespace lcz
