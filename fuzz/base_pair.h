// A small Lc0 net and the base it is coded against in the container target's seeds: the base
// is made here, by code, so that fuzz_make_seeds and fuzz_container hold the same bytes (the
// seeds carry its SHA-256, which decompress checks before it decodes against the base).
#pragma once
#include <random>
#include <string>
#include <vector>

#include "formats/lc0/lc0_file.h"

namespace lcz::fuzz {

// scale != 1: the base's layers scaled per output channel of 8 values, as a fine-tune
// moves a folded batch-norm; 1: the base itself.
inline std::string pair_net_bytes(float scale) {
  std::mt19937 rng(41);
  std::normal_distribution<float> normal(0, 0.1f);
  pblczero::Net net;
  net.set_magic(kLc0Magic);
  auto layer = [&](pblczero::Weights::Layer& l, size_t n, std::vector<uint32_t> dims) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = normal(rng) * (1 + (scale - 1) * static_cast<float>(i / 8 % 5));
    write_lc0_layer(l, v, SourceEncoding::Kind::linear16);
    for (uint32_t d : dims) l.add_dims(d);
  };
  auto* w = net.mutable_weights();
  layer(*w->mutable_input()->mutable_weights(), 96, {12, 8});
  layer(*w->mutable_input()->mutable_biases(), 12, {});
  layer(*w->add_residual()->mutable_conv1()->mutable_weights(), 64, {8, 8});
  return net.SerializeAsString();
}

inline std::string base_net_bytes() { return pair_net_bytes(1.0f); }
inline std::string target_net_bytes() { return pair_net_bytes(1.03f); }

}  // namespace lcz::fuzz
