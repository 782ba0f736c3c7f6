// The one list of every net file format. Adding a format: write formats/<name>/ with a
// `NetFileFormat <name>_format()` (formats/npy/ is the smallest example), give it a new
// SourceFormat id (formats/format.h), then add one line below.
#include "formats/f32/f32_format.h"
#include "formats/format.h"
#include "formats/lc0/lc0_format.h"
#include "formats/npy/npy_format.h"
#include "formats/onnx/onnx_format.h"

namespace lcz {

const std::vector<NetFileFormat>& net_file_formats() {
  static const std::vector<NetFileFormat> formats = {
      lc0_format(),
      onnx_format(),
      npy_format(),
      f32_format(),
  };
  return formats;
}

}  // namespace lcz
