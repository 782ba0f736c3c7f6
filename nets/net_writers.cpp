#include "nets/net_writers.h"

#include <bit>
#include <cstring>
#include <string>

#include "codecs/core/error.h"

namespace lcz {

static_assert(std::endian::native == std::endian::little, "float32 files are little-endian");

std::vector<uint8_t> f32_file_bytes(const Net& net) {
  std::vector<uint8_t> out(net.weight_count() * sizeof(float));
  size_t at = 0;
  for (const Tensor& t : net.tensors) {
    std::memcpy(out.data() + at, t.values.data(), t.values.size() * sizeof(float));
    at += t.values.size() * sizeof(float);
  }
  return out;
}

std::vector<uint8_t> npy_file_bytes(const Net& net) {
  if (net.tensors.size() != 1)
    throw Error(ErrorKind::codec, "an .npy file holds one tensor; this net has " + std::to_string(net.tensors.size()));
  const Tensor& t = net.tensors[0];
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) shape += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? "," : i + 1 < t.shape.size() ? ", " : "");
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n' is padded with spaces to a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  const size_t data_at = out.size();
  out.resize(data_at + t.values.size() * sizeof(float));
  std::memcpy(out.data() + data_at, t.values.data(), t.values.size() * sizeof(float));
  return out;
}

}  // namespace lcz
