#include "nets/input_file.h"

#include <fstream>

namespace lcz {
namespace fs = std::filesystem;

std::string not_a_regular_file(const fs::path& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  switch (st.type()) {
    case fs::file_type::regular: return "";
    case fs::file_type::not_found: return "does not exist";
    case fs::file_type::directory: return "is a directory, not a file";
    case fs::file_type::fifo: return "is a FIFO, not a regular file";
    case fs::file_type::character: return "is a character device, not a regular file";
    case fs::file_type::block: return "is a block device, not a regular file";
    case fs::file_type::socket: return "is a socket, not a regular file";
    default: break;
  }
  return "cannot be accessed" + (ec ? ": " + ec.message() : std::string());
}

std::vector<uint8_t> read_regular_file(const fs::path& path, uint64_t max_bytes, ErrorKind kind) {
  auto fail = [&](const std::string& what) -> void { throw Error(kind, path.string() + ": " + what); };
  if (std::string why = not_a_regular_file(path); !why.empty()) fail(why);
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) fail("cannot determine its size: " + ec.message());
  if (size > max_bytes)
    fail(std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) + " bytes this reader accepts");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open file");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size) fail("read error (file shorter than its size?)");
  return bytes;
}

}  // namespace lcz
