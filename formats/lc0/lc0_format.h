// Lc0 network files (.pb.gz, .pb): the format's entry in formats/formats.cpp.
#pragma once
#include "formats/format.h"

namespace lcz {
NetFileFormat lc0_format();
}  // namespace lcz
