#include "bench/lczip/big_net.h"

#include <algorithm>
#include <random>
#include <stdexcept>

#include "formats/lc0/lc0_file.h"
#include "nets/net.h"

namespace lcz::bench {
namespace {

uint64_t weights_of(const pblczero::Weights::Layer& l) { return l.params().size() / 2; }

uint64_t block_weights(const pblczero::Weights::Residual& r) {
  uint64_t n = 0;
  for (const auto* c : {&r.conv1(), &r.conv2()})
    n += weights_of(c->weights()) + weights_of(c->biases()) + weights_of(c->bn_means()) + weights_of(c->bn_stddivs()) +
         weights_of(c->bn_gammas()) + weights_of(c->bn_betas());
  n += weights_of(r.se().w1()) + weights_of(r.se().b1()) + weights_of(r.se().w2()) + weights_of(r.se().b2());
  return n;
}

void jitter(pblczero::Weights::Layer& l, std::mt19937& rng) {
  std::string& p = *l.mutable_params();
  std::uniform_int_distribution<int> move(-2, 2);
  for (size_t i = 0; i + 1 < p.size(); i += 2) {
    int u = static_cast<uint8_t>(p[i]) | static_cast<uint8_t>(p[i + 1]) << 8;
    // The ends of the range stay where they are: the layer keeps its extremes, so its grid
    // is still found from its values.
    if (u == 0 || u == 65535) continue;
    u = std::clamp(u + move(rng), 1, 65534);
    p[i] = static_cast<char>(u & 0xff);
    p[i + 1] = static_cast<char>(u >> 8);
  }
}

void jitter(pblczero::Weights::ConvBlock& c, std::mt19937& rng) {
  for (auto* l : {c.mutable_weights(), c.mutable_biases(), c.mutable_bn_means(), c.mutable_bn_stddivs(),
                  c.mutable_bn_gammas(), c.mutable_bn_betas()})
    if (!l->params().empty()) jitter(*l, rng);
}

}  // namespace

std::vector<uint8_t> big_lc0_net(const std::filesystem::path& maia, uint64_t weights, uint32_t seed) {
  pblczero::Net net = parse_lc0_net(read_file_bytes(maia), maia.string());
  const int blocks = net.weights().residual_size();
  if (blocks == 0) throw std::runtime_error(maia.string() + ": no residual blocks to grow");
  uint64_t total = 0;
  for (const auto& t : lc0_tensors(net, maia.string())) total += t.values.size();
  std::mt19937 rng(seed);
  for (int i = 0; total < weights; ++i) {
    pblczero::Weights::Residual copy = net.weights().residual(i % blocks);
    jitter(*copy.mutable_conv1(), rng);
    jitter(*copy.mutable_conv2(), rng);
    for (auto* l : {copy.mutable_se()->mutable_w1(), copy.mutable_se()->mutable_b1(), copy.mutable_se()->mutable_w2(),
                    copy.mutable_se()->mutable_b2()})
      if (!l->params().empty()) jitter(*l, rng);
    total += block_weights(copy);
    *net.mutable_weights()->add_residual() = std::move(copy);
  }
  std::string bytes;
  if (!net.SerializeToString(&bytes)) throw std::runtime_error("cannot serialize the big net");
  return {bytes.begin(), bytes.end()};
}

}  // namespace lcz::bench
