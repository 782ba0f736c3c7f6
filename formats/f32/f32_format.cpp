#include "formats/f32/f32_format.h"

#include "formats/f32/f32_file.h"
#include "formats/output_policy.h"

namespace lcz {

NetFileFormat f32_format() {
  return {.id = SourceFormat::f32,
          .name = "f32",
          .description = "raw little-endian float32 (.f32, .bin, .hex, .raw): one flat tensor named by the file",
          .extensions = {".f32", ".bin", ".hex", ".raw"},
          .sniff = {},  // no header: any float data may look like another format's magic
          .max_file_bytes = kMaxRawFileBytes,
          .whole_tensors = false,
          .has_skeleton = false,
          .one_tensor = true,
          .read = [](std::span<const uint8_t> bytes, const std::filesystem::path& path) {
            return SourceNet{read_f32_net(bytes, path), SourceFormat::f32, path.string(), ""};
          },
          .choose_output = choose_as_decoded,
          .loaded_values = loaded_as_decoded,
          .loaded_error = ieee_loaded_error,
          .contradiction = as_decoded_contradiction,
          .write = [](const std::string&, Net net, std::span<const SourceEncoding>, const std::string&, const std::string&,
                     const ByteSink& sink) {
            for (auto& t : net.tensors) {  // each tensor released once written
              sink(std::span(reinterpret_cast<const uint8_t*>(t.values.data()), t.values.size() * sizeof(float)));
              F32().swap(t.values);
            }
          }};
}

}  // namespace lcz
