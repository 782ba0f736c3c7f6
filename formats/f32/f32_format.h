// Raw little-endian float32 files (.f32, .bin, .hex, .raw): the format's entry in formats/formats.cpp.
#pragma once
#include "formats/format.h"

namespace lcz {
NetFileFormat f32_format();
}  // namespace lcz
