// NumPy .npy files of one float32 tensor: the format's entry in formats/formats.cpp.
#pragma once
#include "formats/format.h"

namespace lcz {
NetFileFormat npy_format();
}  // namespace lcz
