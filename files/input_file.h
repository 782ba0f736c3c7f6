// Reading an input a user named, the one rule for every file lczip and harness read, with the
// checks that come before any byte is read: it must be a regular file (a folder, FIFO, socket
// or device such as /dev/zero is refused by what it is, never read until it ends or blocks)
// no larger than the caller's limit, so nothing is allocated for a file that would be refused
// anyway. The file is opened without blocking and checked on the open descriptor, so a file
// swapped for a FIFO after the check cannot make the reader wait. "-" is standard input, read
// up to the same limit (and refused when the process started with it closed).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "codecs/core/error.h"

namespace lcz {

// Empty when path is a regular file (symlinks followed); else what it is instead:
// "does not exist", "is a directory, not a file", "is a FIFO, not a regular file", "is a
// character device, not a regular file", "cannot be accessed: <reason>".
std::string not_a_regular_file(const std::filesystem::path& path);

// The file's bytes. Throws lcz::Error(kind) "<path>: <what is wrong>" when it is not a regular
// file, is larger than max_bytes, or cannot be opened or read (with the system's reason).
std::vector<uint8_t> read_regular_file(const std::filesystem::path& path, uint64_t max_bytes, ErrorKind kind);

// As read_regular_file, and "-" reads standard input: at most max_bytes (more is refused as it
// streams), refused with lcz::Error(input) when standard input was closed.
std::vector<uint8_t> read_input_file(const std::string& path, uint64_t max_bytes, ErrorKind kind);

// The file's text (read_regular_file).
std::string read_text_file(const std::filesystem::path& path, uint64_t max_bytes, ErrorKind kind);

}  // namespace lcz
