// The Lc0 reader (gzip or plain protobuf pblczero.Net -> tensors) on arbitrary bytes, with
// a 1 MiB inflate limit: a bomb is refused early, and no input spends its time inflating.
#include "fuzz/fuzz_target.h"
#include "formats/lc0/lc0_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcz::fuzz::expect_only(lcz::ErrorKind::input, [&] {
    (void)lcz::read_lc0_net(std::span<const uint8_t>(data, size), "fuzz.pb.gz", size_t{1} << 20);
  });
  return 0;
}
