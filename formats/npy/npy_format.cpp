#include "formats/npy/npy_format.h"

#include "formats/npy/npy_file.h"
#include "formats/output_policy.h"

namespace lcz {

NetFileFormat npy_format() {
  return {.id = SourceFormat::npy,
          .name = "npy",
          .description = "NumPy .npy (versions 1-3) of one little-endian float32 tensor in C order",
          .extensions = {".npy"},
          .sniff = is_npy,
          .max_file_bytes = kMaxRawFileBytes,
          .whole_tensors = false,
          .has_skeleton = false,
          .one_tensor = true,
          .read = [](std::span<const uint8_t> bytes, const std::filesystem::path& path) {
            return SourceNet{read_npy_net(bytes, path), SourceFormat::npy, path.string(), ""};
          },
          .choose_output = choose_as_decoded,
          .loaded_values = loaded_as_decoded,
          .loaded_error = ieee_loaded_error,
          .contradiction = as_decoded_contradiction,
          .write = [](const std::string&, Net net, std::span<const SourceEncoding>, const std::string&, const std::string&,
                     const ByteSink& sink) {
            Net header_only = net;  // the .npy header, then the data without a second copy
            for (auto& t : header_only.tensors) t.values.clear();
            sink(npy_file_bytes(header_only));
            const F32& values = net.tensors.at(0).values;
            sink(std::span(reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(float)));
          }};
}

}  // namespace lcz
