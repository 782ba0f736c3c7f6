// lczip's decompress (container/lcz_codec.h) on arbitrary bytes: the container parser, every
// stage's decoder as a stored pipeline names it, and the writers of the output file. The
// checksums are off (a random input would almost never pass a 64-bit hash, and the code
// behind them is what needs fuzzing); nets over 2^20 weights are refused up front, below
// libFuzzer's memory limit. Accepted refusals: input (the file), codec (a stage), config (a
// base is needed).
#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcz::ContainerReadOptions read;
  read.verify_checksums = false;
  read.max_weights = uint64_t{1} << 20;
  try {
    const lcz::DecompressResult d =
        lcz::decompress(std::span<const uint8_t>(data, size), "fuzz.lcz", nullptr, 1, {}, read);
    (void)lcz::as_loaded(d);
    (void)lcz::output_file_bytes(d);
  } catch (const lcz::Error& e) {
    if (e.kind() != lcz::ErrorKind::input && e.kind() != lcz::ErrorKind::codec && e.kind() != lcz::ErrorKind::config) {
      std::fprintf(stderr, "lcz::Error of kind %d: %s\n", static_cast<int>(e.kind()), e.what());
      std::abort();
    }
  }
  return 0;
}
