// Containers that contradict themselves, every checksum consistent (issue 14): what a reader
// must refuse although nothing is corrupt in the bytes. Used by test_container.cpp and by
// tests/tools/forge_lcz.cpp for the CLI test.
#pragma once
#include <cmath>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "container/container.h"

namespace lcz::test {

struct Forgery {
  std::string name;
  Bytes file;
};

inline std::vector<Bytes> payloads_of(std::span<const uint8_t> file, const ContainerHeader& h) {
  std::vector<Bytes> payloads;
  for (size_t c = 0; c < h.chunks.size(); ++c) {
    auto p = chunk_payload(file, h, c, "forgery");
    payloads.emplace_back(p.begin(), p.end());
  }
  return payloads;
}

// For an Lc0 container: every LINEAR16 output range doubled, or shifted by half a grid step;
// every LINEAR16 output written as FLOAT16 or FLOAT32 instead (which released lc0 cannot
// load). For a container of two or more chunks: the first two chunks swapped, entries (with
// their own checksums) and payloads. The header checksum is recomputed in each.
inline std::vector<Forgery> forgeries(std::span<const uint8_t> file) {
  const ContainerHeader h = read_container_header(file, "forgery");
  const std::vector<Bytes> payloads = payloads_of(file, h);
  std::vector<Forgery> out;
  auto each_linear16 = [&](const char* name, auto edit) {
    ContainerHeader f = h;
    bool any = false;
    for (auto& t : f.tensors)
      if (t.output.kind == SourceEncoding::Kind::linear16 && t.output.max_val > t.output.min_val) {
        edit(t.output);
        any = true;
      }
    if (any) out.push_back({name, write_container(f, payloads)});
  };
  each_linear16("range_doubled", [](SourceEncoding& e) { e.min_val *= 2, e.max_val *= 2; });
  each_linear16("range_shifted_half_step", [](SourceEncoding& e) {
    const float half = static_cast<float>((static_cast<double>(e.max_val) - e.min_val) / 65535 / 2);
    e.min_val += half, e.max_val += half;
  });
  each_linear16("kind_float16", [](SourceEncoding& e) { e = {SourceEncoding::Kind::float16, 0, 0}; });
  each_linear16("kind_float32", [](SourceEncoding& e) { e = {SourceEncoding::Kind::float32, 0, 0}; });
  if (h.chunks.size() >= 2) {
    ContainerHeader f = h;
    std::vector<Bytes> swapped = payloads;
    std::swap(f.chunks[0], f.chunks[1]);
    std::swap(swapped[0], swapped[1]);
    out.push_back({"chunks_swapped", write_container(f, swapped, /*keep_payload_checksums=*/true)});
  }
  return out;
}

}  // namespace lcz::test
