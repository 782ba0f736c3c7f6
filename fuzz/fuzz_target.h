// The contract of every target in fuzz/: LLVMFuzzerTestOneInput runs one API surface on
// arbitrary bytes. The surface may accept the input or throw lcz::Error of the kind its
// contract names; anything else (a crash, another exception, a sanitizer report, a hang, an
// allocation past libFuzzer's -rss_limit_mb) is a finding. Built two ways: with clang and
// -fsanitize=fuzzer (scripts/fuzz.sh), and with replay_main.cpp, which runs every file of a
// corpus folder through the same function as an ordinary ctest test.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <span>

#include "codecs/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace lcz::fuzz {

// Runs f; an lcz::Error of the expected kind is an accepted refusal, one of another kind
// aborts (a finding: the surface reported the wrong class of problem).
template <class F>
void expect_only(ErrorKind kind, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    if (e.kind() != kind) {
      std::fprintf(stderr, "lcz::Error of kind %d, expected %d: %s\n", static_cast<int>(e.kind()),
                   static_cast<int>(kind), e.what());
      std::abort();
    }
  }
}

}  // namespace lcz::fuzz
