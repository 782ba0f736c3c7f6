// The one list of every stage. Adding a stage: write codecs/<kind>/<name>.{h,cpp} with a
// `StageDescriptor <name>_stage()` (codecs/transform/zigzag.* is the smallest example), then
// add one line below. The generic property test (tests/test_stages.cpp) covers it from then on.
#include "codecs/core/registry.h"
#include "codecs/transform/zigzag.h"

namespace lcz {

const std::vector<StageDescriptor>& all_stages() {
  static const std::vector<StageDescriptor> stages = {
      zigzag_stage(),
  };
  return stages;
}

}  // namespace lcz
