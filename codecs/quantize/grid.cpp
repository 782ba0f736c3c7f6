#include "codecs/quantize/grid.h"

#include "codecs/quantize/linear16.h"
#include "codecs/quantize/rounding.h"

#include <bit>
#include <cmath>
#include <limits>

namespace lcz {
namespace {

enum Path : int32_t { kRound = 0, kLinear16Release = 1, kLinear16Dev = 2 };
constexpr int32_t kLevels = 65535;

float decode_grid(Path path, int32_t u, float lo, float hi) {
  return path == kLinear16Release ? linear16_release(u, lo, hi) : linear16_dev(u, lo, hi);
}

int32_t zero_index(float lo, float hi) {
  double z = std::nearbyint(-static_cast<double>(lo) / (static_cast<double>(hi) - lo) * kLevels);
  return static_cast<int32_t>(std::clamp(z, 0.0, static_cast<double>(kLevels)));
}

// Writes the grid index minus `zero` of every value to out and returns true if each value is
// reproduced bit for bit under `path`. Per chunk, a branch-free loop takes the nearest index
// and checks it; the rare value whose float32 decode lands one index off is fixed after, and
// data that is on no grid is given up on after its first chunk.
bool grid_indices(const F32& in, Path path, float lo, float hi, int32_t zero, int32_t* out) {
  const double scale = kLevels / (static_cast<double>(hi) - lo);
  auto on_grid = [&](int32_t u, float v) {
    return u >= 0 && u <= kLevels && std::bit_cast<uint32_t>(decode_grid(path, u, lo, hi)) == std::bit_cast<uint32_t>(v);
  };
  constexpr size_t kChunk = 4096;
  for (size_t begin = 0; begin < in.size(); begin += kChunk) {
    const size_t end = std::min(in.size(), begin + kChunk);
    bool exact = true;
    for (size_t i = begin; i < end; ++i) {
      const double pos = (static_cast<double>(in[i]) - lo) * scale;      // in [0, 65535]
      const int32_t u = static_cast<int32_t>((pos + 0x1.8p52) - 0x1.8p52);  // nearest, without libm
      out[i] = u - zero;
      exact &= std::bit_cast<uint32_t>(decode_grid(path, u, lo, hi)) == std::bit_cast<uint32_t>(in[i]);
    }
    if (exact) continue;
    for (size_t i = begin; i < end; ++i) {
      const int32_t u = out[i] + zero;
      if (on_grid(u, in[i])) continue;
      if (on_grid(u - 1, in[i])) out[i] -= 1;
      else if (on_grid(u + 1, in[i])) out[i] += 1;
      else return false;
    }
  }
  return true;
}

class Grid final : public TypedStage<F32, I32> {
 public:
  explicit Grid(double tolerance) : tolerance_(tolerance), step_(2 * tolerance) {}

 protected:
  I32 encode_typed(const F32& in) const override {
    if (in.size() >= 2) {
      float lo = std::numeric_limits<float>::infinity(), hi = -lo;
      bool finite = true;
      for (float v : in) {
        finite = finite && std::isfinite(v);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      // A grid finer than 2*tol has more levels than rounding: rounding wins there.
      if (finite && (static_cast<double>(hi) - lo) / kLevels >= step_) {
        I32 out(3 + in.size());
        for (Path path : {kLinear16Release, kLinear16Dev}) {
          if (grid_indices(in, path, lo, hi, zero_index(lo, hi), out.data() + 3)) {
            out[0] = path;
            out[1] = std::bit_cast<int32_t>(lo);
            out[2] = std::bit_cast<int32_t>(hi);
            return out;
          }
        }
      }
    }
    I32 out(1 + in.size());
    out[0] = kRound;
    quantize_to_step(in, step_, /*round=*/true, tolerance_, "grid", out.data() + 1);
    return out;
  }

  F32 decode_typed(const I32& in) const override {
    if (in.empty()) throw_corrupt("grid", 0, "missing header");
    const int32_t path = in[0];
    if (path == kRound) {
      F32 out(in.size() - 1);
      for (size_t i = 1; i < in.size(); ++i) out[i - 1] = dequantize(in[i], step_);
      return out;
    }
    if (path != kLinear16Release && path != kLinear16Dev) throw_corrupt("grid", 0, "unknown path " + std::to_string(path));
    if (in.size() < 3) throw_corrupt("grid", in.size(), "header cut off");
    const float lo = std::bit_cast<float>(in[1]), hi = std::bit_cast<float>(in[2]);
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) throw_corrupt("grid", 1, "invalid grid range");
    const int32_t z = zero_index(lo, hi);
    F32 out(in.size() - 3);
    for (size_t i = 3; i < in.size(); ++i) {
      const int64_t u = int64_t{in[i]} + z;
      if (u < 0 || u > kLevels) throw_corrupt("grid", i, "grid index out of range");
      out[i - 3] = decode_grid(static_cast<Path>(path), static_cast<int32_t>(u), lo, hi);
    }
    return out;
  }

 private:
  double tolerance_, step_;
};

}  // namespace

StageDescriptor grid_stage() {
  return {.name = "grid",
          .kind = StageKind::quantize,
          .input = StreamType::f32,
          .output = StreamType::i32,
          .doc = "Lc0 LINEAR16 grid index when every value is on it (lossless), else round at step 2*tol",
          .params = {},
          .library_version = {},
          .make = [](const Params&, const StageContext& ctx) { return std::make_unique<Grid>(ctx.tolerance); }};
}

}  // namespace lcz
