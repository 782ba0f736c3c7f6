// NumPy .npy files (format versions 1, 2, 3) holding little-endian float32 in C order.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "nets/net.h"

namespace lcz {

bool is_npy(std::span<const uint8_t> bytes);  // starts with "\x93NUMPY"

struct NpyHeader {
  int major_version = 0;
  std::string descr;              // dtype string, e.g. "<f4"
  bool fortran_order = false;
  std::vector<uint64_t> shape;    // empty for a 0-d array
  size_t data_offset = 0;         // bytes before the array data
};

// Parses the magic, version, header length and the header dict; throws lcz::Error(input)
// naming source and the offending header field. Does not judge descr or the data size.
NpyHeader parse_npy_header(std::span<const uint8_t> file_bytes, const std::string& source);

// One tensor named by the file stem, shaped as the header says ({1} for a 0-d array).
// Only descr '<f4' with fortran_order False; the data must be exactly product(shape) floats.
Net read_npy_net(std::span<const uint8_t> file_bytes, const std::filesystem::path& path);

// Format version 1, descr '<f4', C order, the tensor's shape. Throws lcz::Error(codec) for a
// net of more than one tensor.
std::vector<uint8_t> npy_file_bytes(const Net& net);

}  // namespace lcz
