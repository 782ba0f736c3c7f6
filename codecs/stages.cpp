// The one list of every stage. Adding a stage: write codecs/<kind>/<name>.{h,cpp} with a
// `StageDescriptor <name>_stage()` (codecs/transform/zigzag.* is the smallest example), then
// add one line below. The generic property test (tests/test_stages.cpp) covers it from then on.
#include "codecs/backend/brotli.h"
#include "codecs/backend/bzip2.h"
#include "codecs/backend/store.h"
#include "codecs/backend/xz.h"
#include "codecs/backend/zlib.h"
#include "codecs/backend/zstd.h"
#include "codecs/core/registry.h"
#include "codecs/entropy/cm/cm.h"
#include "codecs/entropy/rans/rans.h"
#include "codecs/quantize/grid.h"
#include "codecs/quantize/quantize.h"
#include "codecs/transform/bitpack.h"
#include "codecs/transform/byte_shuffle.h"
#include "codecs/transform/delta.h"
#include "codecs/transform/le_bytes.h"
#include "codecs/transform/varint.h"
#include "codecs/transform/zigzag.h"

namespace lcz {

const std::vector<StageDescriptor>& all_stages() {
  static const std::vector<StageDescriptor> stages = {
      quantize_stage(),
      grid_stage(),
      zigzag_stage(),
      delta_stage(),
      varint_stage(),
      bitpack_stage(),
      le_bytes_stage(),
      byte_shuffle_stage(),
      bzip2_stage(),
      zstd_stage(),
      xz_stage(),
      brotli_stage(),
      zlib_stage(),
      store_stage(),
      rans_stage(),
      cm_stage(),
  };
  return stages;
}

}  // namespace lcz
