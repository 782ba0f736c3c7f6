// The .npy reader (magic, version, header dict, shape against the data size) on arbitrary bytes.
#include "fuzz/fuzz_target.h"
#include "formats/npy/npy_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcz::fuzz::expect_only(lcz::ErrorKind::input, [&] {
    (void)lcz::read_npy_net(std::span<const uint8_t>(data, size), "fuzz.npy");
  });
  return 0;
}
