// The raw float32 reader on arbitrary bytes: size, NaN/Inf, empty file.
#include "fuzz/fuzz_target.h"
#include "formats/f32/f32_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcz::fuzz::expect_only(lcz::ErrorKind::input, [&] {
    (void)lcz::read_f32_net(std::span<const uint8_t>(data, size), "fuzz.f32");
  });
  return 0;
}
