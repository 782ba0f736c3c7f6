// The file decompress writes, in the source's format (formats/format.h): the format's writer
// given the container's skeleton, the decoded tensors and each one's output encoding.
#pragma once
#include "container/lcz_codec.h"

namespace lcz {

// Hands the file to `sink` in pieces and releases each tensor once written (it consumes
// `decoded`); output_file_bytes returns it whole. `output_name` is the name it is written
// under, "" for standard output or none (then the source's name stands for it): an ONNX
// model is gzip-compressed when that name ends in .gz.
void write_output_file(DecompressResult decoded, const ByteSink& sink, const std::string& output_name = "");
Bytes output_file_bytes(const DecompressResult& decoded, const std::string& output_name = "");

// The values a user gets when loading that file (for an Lc0 LINEAR16 layer: as a released lc0
// decodes it), by the format's loaded_values.
Net as_loaded(const DecompressResult& decoded);

// The file decompress writes, as it is loaded, against the original net file: names (unless
// the format names a tensor after its file), shapes and counts must match, and every weight
// is compared by the format's loaded_error (an Lc0 layer under every LINEAR16 decoder lc0
// uses, the original's layer read the same way); worst_decoder names the worst's reader.
Verification verify_as_loaded(const SourceNet& original, const DecompressResult& decoded);

}  // namespace lcz
