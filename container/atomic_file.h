// An output file that appears whole or not at all: bytes go to a temporary file beside the
// target, which is renamed onto it only when everything is written and flushed. An existing
// target is kept unless overwriting was asked for; the check happens when the temporary file is
// created, before any work, and again at the rename (no race). "-" writes to standard output.
#pragma once
#include <filesystem>
#include <span>
#include <string>

namespace lcz {

class AtomicFile {
 public:
  // Throws lcz::Error(config) when the target exists and !overwrite, or (input) when the
  // temporary file cannot be created there (missing folder, no permission).
  AtomicFile(const std::filesystem::path& target, bool overwrite);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends bytes to the temporary file (to standard output for "-").
  void write(std::span<const uint8_t> bytes);
  // Flushes what was written to disk and renames it onto the target.
  void commit();
  void commit(std::span<const uint8_t> bytes) {
    write(bytes);
    commit();
  }

  bool is_stdout() const { return stdout_; }

 private:
  std::filesystem::path target_, temp_;
  int fd_ = -1;
  bool overwrite_, stdout_, committed_ = false;
};

}  // namespace lcz
