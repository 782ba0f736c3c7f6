// Reading a whole input file a user named, with the checks that come before any byte is
// read: it must be a regular file (a folder, FIFO or device such as /dev/zero is refused by
// what it is, never read until it ends or blocks) no larger than the caller's limit, so
// nothing is allocated for a file that would be refused anyway.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "codecs/core/error.h"

namespace lcz {

// Empty when path is a regular file (symlinks followed); else what it is instead:
// "does not exist", "is a directory", "is a FIFO", "is a character device", "cannot be
// accessed: <reason>".
std::string not_a_regular_file(const std::filesystem::path& path);

// The file's bytes. Throws lcz::Error(kind) "<path>: <what is wrong>" when it is not a regular
// file, is larger than max_bytes, or cannot be read.
std::vector<uint8_t> read_regular_file(const std::filesystem::path& path, uint64_t max_bytes, ErrorKind kind);

}  // namespace lcz
