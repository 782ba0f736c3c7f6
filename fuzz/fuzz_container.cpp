// lczip's decompress (container/lcz_codec.h) on arbitrary bytes: the container parser, every
// stage's decoder as a stored pipeline names it, and the writers of the output file. The
// checksums are off (a random input would almost never pass a 64-bit hash, and the code
// behind them is what needs fuzzing); nets over 2^20 weights are refused up front, below
// libFuzzer's memory limit. Accepted refusals: input (the file), codec (a stage), config (a
// base is needed). A file that needs a base is decoded again against the base of
// fuzz/base_pair.h (seeds coded against it carry its SHA-256), which reaches the decoders of
// coding given a base: side records, base contexts, cm and rans in a context.
#include "container/lcz_codec.h"
#include "container/output_file.h"
#include "fuzz/base_pair.h"
#include "fuzz/fuzz_target.h"

namespace {

const lcz::BaseNet& base_net() {
  static const lcz::BaseNet base = [] {
    const std::string bytes = lcz::fuzz::base_net_bytes();
    return lcz::read_base_net(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), "base.pb");
  }();
  return base;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcz::ContainerReadOptions read;
  read.verify_checksums = false;
  read.max_weights = uint64_t{1} << 20;
  for (const lcz::BaseNet* base : {static_cast<const lcz::BaseNet*>(nullptr), &base_net()}) {
    try {
      const lcz::DecompressResult d =
          lcz::decompress(std::span<const uint8_t>(data, size), "fuzz.lcz", base, 1, {}, read);
      (void)lcz::as_loaded(d);
      (void)lcz::output_file_bytes(d);
      return 0;
    } catch (const lcz::Error& e) {
      if (e.kind() != lcz::ErrorKind::input && e.kind() != lcz::ErrorKind::codec && e.kind() != lcz::ErrorKind::config) {
        std::fprintf(stderr, "lcz::Error of kind %d: %s\n", static_cast<int>(e.kind()), e.what());
        std::abort();
      }
      if (e.kind() != lcz::ErrorKind::config) return 0;  // only a missing base is worth a second try
    }
  }
  return 0;
}
