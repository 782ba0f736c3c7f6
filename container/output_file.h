// The file decompress writes, in the source's format (formats/format.h): the format's writer
// given the container's skeleton, the decoded tensors and each one's output encoding.
#pragma once
#include "container/lcz_codec.h"

namespace lcz {

// Hands the file to `sink` in pieces and releases each tensor once written (it consumes
// `decoded`); output_file_bytes returns it whole.
void write_output_file(DecompressResult decoded, const ByteSink& sink);
Bytes output_file_bytes(const DecompressResult& decoded);

// The values a user gets when loading that file (for an Lc0 LINEAR16 layer: as a released lc0
// decodes it), by the format's loaded_values.
Net as_loaded(const DecompressResult& decoded);

}  // namespace lcz
