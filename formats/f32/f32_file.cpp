#include "formats/f32/f32_file.h"

#include <bit>
#include <cstring>

#include "codecs/core/error.h"

namespace lcz {

static_assert(std::endian::native == std::endian::little, "raw float32 files are little-endian");

Net read_f32_net(std::span<const uint8_t> file_bytes, const std::filesystem::path& path) {
  const std::string source = path.string();
  if (file_bytes.empty()) throw_input(source + ": empty file (raw float32 expected)");
  if (file_bytes.size() % sizeof(float) != 0)
    throw_input(source + ": size " + std::to_string(file_bytes.size()) +
                " bytes is not a multiple of 4 (raw little-endian float32 expected)");
  const size_t count = file_bytes.size() / sizeof(float);
  if (count > UINT32_MAX) throw_input(source + ": more than 2^32-1 floats in one tensor");

  return single_tensor_net(file_bytes, {static_cast<uint32_t>(count)}, path, "f32");
}

std::vector<uint8_t> f32_file_bytes(const Net& net) {
  std::vector<uint8_t> out(net.weight_count() * sizeof(float));
  size_t at = 0;
  for (const Tensor& t : net.tensors) {
    std::memcpy(out.data() + at, t.values.data(), t.values.size() * sizeof(float));
    at += t.values.size() * sizeof(float);
  }
  return out;
}

}  // namespace lcz
