// The Lc0 reader (gzip or plain protobuf pblczero.Net -> tensors) on arbitrary bytes, with
// a 64 MiB inflate limit so that a gzip bomb is refused well below libFuzzer's memory limit.
#include "fuzz/fuzz_target.h"
#include "nets/lc0_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcz::fuzz::expect_only(lcz::ErrorKind::input, [&] {
    (void)lcz::read_lc0_net(std::span<const uint8_t>(data, size), "fuzz.pb.gz", size_t{64} << 20);
  });
  return 0;
}
