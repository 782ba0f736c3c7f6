// ONNX models (.onnx, .onnx.gz) behind formats/format.h: read by onnx_reader.h, written by
// onnx_writer.h, each float initializer written back in its own type.
#pragma once
#include "formats/format.h"

namespace lcz {

NetFileFormat onnx_format();

}  // namespace lcz
