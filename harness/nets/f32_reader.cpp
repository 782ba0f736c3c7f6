#include "harness/nets/f32_reader.h"

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

  Tensor tensor;
  tensor.name = path.stem().string();
  tensor.shape = {static_cast<uint32_t>(count)};
  tensor.values.resize(count);
  std::memcpy(tensor.values.data(), file_bytes.data(), file_bytes.size());
  tensor.source.kind = SourceEncoding::Kind::float32;
  require_finite(tensor, source);

  Net net;
  net.source = source;
  net.format = "f32";
  net.tensors.push_back(std::move(tensor));
  return net;
}

}  // namespace lcz
