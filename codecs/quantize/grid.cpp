#include "codecs/quantize/grid.h"

#include "codecs/core/byte_io.h"
#include "codecs/core/little_endian.h"
#include "codecs/quantize/base_prediction.h"
#include "formats/lc0/linear16.h"
#include "codecs/quantize/linear16_lattice.h"
#include "codecs/quantize/rounding.h"
#include "codecs/quantize/value_range.h"

#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace lcz {
namespace {

// Header [kRound]; [kLinear16Release | kLinear16Dev, bits(min), bits(max)];
// [kLattice, bits(min), bits(max), step] (release formula, grid index = zero + k * step);
// [kRoundNarrow, low and high 32 bits of the step (binary64)].
enum Path : int32_t { kRound = 0, kLinear16Release = 1, kLinear16Dev = 2, kLattice = 3, kRoundNarrow = 4 };
// Added to the path, in format 1.0/1.1 files coded against a base (no side record), when the
// indices are residuals from the base's.
constexpr int32_t kAgainstBase = 16;

size_t header_size(int32_t path) { return path == kRound ? 1 : path == kLattice ? 4 : 3; }

// The step a kRoundNarrow header stores.
double narrow_step(const I32& in) {
  return std::bit_cast<double>(static_cast<uint64_t>(static_cast<uint32_t>(in[1])) |
                               static_cast<uint64_t>(static_cast<uint32_t>(in[2])) << 32);
}
constexpr int32_t kLevels = 65535;

float decode_grid(Path path, int32_t u, float lo, float hi) {
  return path == kLinear16Release ? linear16_release(u, lo, hi) : linear16_dev(u, lo, hi);
}

int32_t zero_index(float lo, float hi) { return linear16_zero_index(lo, hi); }

#if defined(__x86_64__) && defined(__GNUC__)
// grid_indices' nearest-index pass for the release formula over values[0, n - n % 8), 8 per step
// with AVX2: the same operations (IEEE double and float arithmetic, each rounded on its own; the
// table load as a gather). Returns whether every one of those values decodes back bit for bit;
// an index outside the grid (a value outside [lo, hi]) counts as not, and is never loaded.
[[gnu::target("avx2")]] bool release_indices_avx2(const float* values, size_t n, float lo, float hi, int32_t zero,
                                                  int32_t* out) {
  const __m256d lo_d = _mm256_set1_pd(static_cast<double>(lo));
  const __m256d scale = _mm256_set1_pd(kLevels / (static_cast<double>(hi) - lo)), magic = _mm256_set1_pd(0x1.8p52);
  const __m256 lo_f = _mm256_set1_ps(lo), width = _mm256_set1_ps(hi - lo);
  const __m256i zero_v = _mm256_set1_epi32(zero), top = _mm256_set1_epi32(kLevels);
  const float* const table = kLinear16Fractions.of.data();
  __m256i exact = _mm256_set1_epi32(-1);
  for (size_t i = 0; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(values + i);
    const __m128i low = _mm256_cvttpd_epi32(_mm256_sub_pd(
        _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), lo_d), scale), magic), magic));
    const __m128i high = _mm256_cvttpd_epi32(_mm256_sub_pd(
        _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), lo_d), scale), magic), magic));
    const __m256i u = _mm256_set_m128i(high, low);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_sub_epi32(u, zero_v));
    const __m256i inside = _mm256_cmpeq_epi32(_mm256_min_epu32(u, top), u);  // 0 <= u <= 65535
    const __m256i index = _mm256_and_si256(u, inside);
    const __m256 at = _mm256_add_ps(_mm256_mul_ps(_mm256_i32gather_ps(table, index, 4), width), lo_f);
    exact = _mm256_and_si256(exact, _mm256_and_si256(inside, _mm256_cmpeq_epi32(_mm256_castps_si256(at), _mm256_castps_si256(v))));
  }
  return _mm256_movemask_ps(_mm256_castsi256_ps(exact)) == 0xFF;
}
#endif

// Writes the grid index minus `zero` of every value to out and returns true if each value is
// reproduced bit for bit under `path`. Per chunk, a branch-free loop takes the nearest index
// and checks it (8 at a time with AVX2 for the release formula, where the CPU has it); the rare
// value whose float32 decode lands one index off is fixed after, and data that is on no grid is
// given up on after its first chunk.
bool grid_indices(const F32& in, Path path, float lo, float hi, int32_t zero, int32_t* out) {
  const double scale = kLevels / (static_cast<double>(hi) - lo);
  auto on_grid = [&](int32_t u, float v) {
    return u >= 0 && u <= kLevels && std::bit_cast<uint32_t>(decode_grid(path, u, lo, hi)) == std::bit_cast<uint32_t>(v);
  };
#if defined(__x86_64__) && defined(__GNUC__)
  const bool avx2 = path == kLinear16Release && __builtin_cpu_supports("avx2");
#else
  const bool avx2 = false;
#endif
  constexpr size_t kChunk = 4096;
  for (size_t begin = 0; begin < in.size(); begin += kChunk) {
    const size_t end = std::min(in.size(), begin + kChunk);
    bool exact = true;
    size_t i = begin;
#if defined(__x86_64__) && defined(__GNUC__)
    if (avx2) {
      exact = release_indices_avx2(in.data() + begin, end - begin, lo, hi, zero, out + begin);
      i = end - (end - begin) % 8;
    }
#endif
    for (; i < end; ++i) {
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

// The index space of a header (path and range): where a value's integer lies, in double.
IndexSpace space_of(std::span<const int32_t> header, double step) {
  const int32_t path = header[0];
  if (path == kRound) return {.a = 1.0 / step, .c0 = 0, .nearest = true};
  if (path == kRoundNarrow) return {.a = 1.0 / narrow_step(I32(header.begin(), header.end())), .c0 = 0, .nearest = true};
  const double lo = std::bit_cast<float>(header[1]), hi = std::bit_cast<float>(header[2]);
  const int32_t lattice_step = path == kLattice ? header[3] : 1;
  const int32_t zero = zero_index(static_cast<float>(lo), static_cast<float>(hi));
  const double scale = kLevels / (hi - lo);
  return {.a = scale / lattice_step,
          .c0 = -(lo * scale + zero) / lattice_step,
          .nearest = true,
          .lo = -std::floor(static_cast<double>(zero) / lattice_step),
          .hi = std::floor(static_cast<double>(kLevels - zero) / lattice_step)};
}

// A header checked as decode_typed checks it: a valid range (or narrow step, at most
// max_step) before it predicts anything.
void check_header(std::span<const int32_t> h, size_t at, double max_step) {
  const int32_t path = h[0];
  if (path < kRound || path > kRoundNarrow) throw_corrupt("grid", at, "unknown path " + std::to_string(path));
  if (path == kRound) return;
  if (path == kRoundNarrow) {
    const double step = narrow_step(I32(h.begin(), h.end()));
    if (!(step > 0) || !(step <= max_step)) throw_corrupt("grid", at, "narrow step " + std::to_string(step) + " out of range");
    return;
  }
  const float lo = std::bit_cast<float>(h[1]), hi = std::bit_cast<float>(h[2]);
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) throw_corrupt("grid", at, "invalid grid range");
  if (path == kLattice && (h[3] < 1 || h[3] > kLevels))
    throw_corrupt("grid", at, "lattice step " + std::to_string(h[3]) + " out of range");
}

// Against a base the side record holds the header (u8 path, then its words as u32le) and
// then the prediction record (base_prediction.h); the values are the indices alone.
struct AgainstBase {
  I32 header;
  BasePrediction prediction;
};

AgainstBase read_side(std::span<const uint8_t> side, uint64_t n, double max_step) {
  ByteReader r(side, "grid");
  AgainstBase a;
  const int32_t path = r.u8();
  if (path < kRound || path > kRoundNarrow) r.fail(0, "unknown path " + std::to_string(path));
  a.header.assign(header_size(path), path);
  for (size_t j = 1; j < a.header.size(); ++j) a.header[j] = static_cast<int32_t>(r.u32le());
  check_header(a.header, 0, max_step);
  a.prediction = read_prediction(r, n);
  r.expect_end();
  return a;
}

// Format 1.0/1.1 against a base (no side record): the index each base value gets under the
// header of `coded` (its path, plus kAgainstBase, and range), clamped to the indices the path allows.
void predict_indices_1_0(const I32& coded, std::span<const float> base, double step, int32_t* out) {
  const int32_t path = coded[0] & ~kAgainstBase;
  if (path == kRound || path == kRoundNarrow) {
    predict_steps(base, path == kRound ? step : narrow_step(coded), /*round=*/true, out);
    return;
  }
  const double lo = std::bit_cast<float>(coded[1]), hi = std::bit_cast<float>(coded[2]);
  const int32_t lattice_step = path == kLattice ? coded[3] : 1;
  const int32_t zero = zero_index(static_cast<float>(lo), static_cast<float>(hi));
  const double scale = kLevels / (hi - lo);
  const double k_lo = -std::floor(static_cast<double>(zero) / lattice_step);
  const double k_hi = std::floor(static_cast<double>(kLevels - zero) / lattice_step);
  for (size_t i = 0; i < base.size(); ++i) {
    double k = std::nearbyint(((static_cast<double>(base[i]) - lo) * scale - zero) / lattice_step);
    k = k < k_hi ? k : k_hi;  // NaN -> k_hi
    out[i] = static_cast<int32_t>(k > k_lo ? k : k_lo);
  }
}

class Grid final : public TypedStage<F32, I32> {
 public:
  explicit Grid(double tolerance) : tolerance_(tolerance), step_(2 * tolerance) {}

 protected:
  I32 encode_typed(const F32& in) const override {
    if (in.size() >= 2) {
      const auto [lo, hi, finite] = value_range(in, LargestTie::first);
      // On a grid at least as coarse as 2*tol the exact index is the best code there is.
      if (finite && hi > lo) {
        const double grid_step = (static_cast<double>(hi) - lo) / kLevels;
        const bool coarse = grid_step >= step_;
        // A grid step between tol and 2*tol: its own lattice would be every index (m = 0), finer
        // than a fitted one, so the fit comes first; the values' first chunk on the grid says
        // the layer is Lc0's, and all of them need not be looked at.
        if (!coarse && grid_step > tolerance_ && on_grid_sample(in, lo, hi)) {
          I32 fitted(4 + in.size());
          if (auto fit = fit_linear16_lattice(in, tolerance_, fitted.data() + 4);
              fit && (static_cast<double>(fit->max_val) - fit->min_val) / kLevels * fit->step >= grid_step)
            return with_lattice_header(std::move(fitted), *fit);
        }
        I32 out(3 + in.size());
        for (Path path : {kLinear16Release, kLinear16Dev}) {
          if (grid_indices(in, path, lo, hi, zero_index(lo, hi), out.data() + 3)) {
            if (!coarse) return on_lattice(in, lo, hi, path, out.data() + 3);
            out[0] = path;
            out[1] = std::bit_cast<int32_t>(lo);
            out[2] = std::bit_cast<int32_t>(hi);
            return out;
          }
        }
      }
    }
    return rounded(in);
  }

  // Against a base, per tensor: the header goes to the side record, and the indices are
  // coded alone, minus the base's or minus a fitted prediction (base_prediction.h), made in
  // value space and mapped onto this tensor's own grid (a re-exported Lc0 layer has a new
  // range), whichever the estimate says is smallest.
 public:
  bool codes_against_base() const override { return true; }
  bool side_uses_base(std::span<const uint8_t> side) const override {
    if (side.empty() || side[0] > kRoundNarrow) return false;
    const size_t mode_at = 1 + 4 * (header_size(side[0]) - 1);
    return side.size() > mode_at && side[mode_at] != static_cast<uint8_t>(BasePrediction::Mode::alone);
  }
  void base_context(const BaseTensor& base, std::span<const uint8_t> side, uint8_t* out) const override {
    const AgainstBase a = read_side(side, base.values.size(), step_);
    prediction_contexts(a.prediction, base.values, space_of(a.header, step_), out);
  }

 protected:
  I32 encode_against_typed(const F32& in, const BaseTensor& base, Bytes& side) const override {
    if (base.values.size() != in.size())
      throw_refused("grid", "a base of " + std::to_string(base.values.size()) + " values for " + std::to_string(in.size()));
    const I32 own = encode_typed(in);
    const size_t h = header_size(own[0]);
    I32 out;
    const BasePrediction p =
        choose_prediction(std::span(own).subspan(h), base, space_of(std::span(own).first(h), step_), out);
    ByteWriter w(side);
    w.u8(static_cast<uint8_t>(own[0]));
    for (size_t j = 1; j < h; ++j) w.u32le(static_cast<uint32_t>(own[j]));
    write_prediction(p, w);
    return out;
  }

  F32 decode_against_typed(const I32& in, const BaseTensor& base, std::span<const uint8_t> side) const override {
    if (side.empty()) return decode_against_1_0(in, base.values);
    if (in.size() != base.values.size())
      throw_corrupt("grid", 0, std::to_string(in.size()) + " values against a base of " + std::to_string(base.values.size()));
    const AgainstBase a = read_side(side, in.size(), step_);
    const size_t h = a.header.size();
    I32 own(h + in.size());
    std::copy(a.header.begin(), a.header.end(), own.begin());
    if (a.prediction.mode == BasePrediction::Mode::alone) {
      std::copy(in.begin(), in.end(), own.begin() + h);
    } else {
      predicted_indices(a.prediction, base.values, space_of(a.header, step_), own.data() + h);
      for (size_t i = 0; i < in.size(); ++i) own[h + i] = wrap_add(in[i], own[h + i]);
    }
    return decode_typed(own);
  }

  // The header of a tensor's indices: [1 | 2, min, max] (its grid) or [3, min, max, step], at
  // the start of the coded values, or against a base in the side record; a range that is not
  // finite and ordered is no lattice.
 public:
  std::optional<CodedLattice> coded_lattice(const Stream& coded, std::span<const uint8_t> side) const override {
    I32 header;
    if (!side.empty()) {
      const int32_t path = side[0];
      if (path > kLattice || side.size() < 1 + 4 * (header_size(path) - 1)) return std::nullopt;
      header.push_back(path);
      for (size_t j = 1; j < header_size(path); ++j) header.push_back(static_cast<int32_t>(load_le32(&side[1 + 4 * (j - 1)])));
    } else if (const I32* in = std::get_if<I32>(&coded); in && !in->empty()) {
      const int32_t path = (*in)[0] & ~kAgainstBase;  // format 1.0 against a base: marked in the path
      if (path >= kRound && path <= kRoundNarrow && in->size() >= header_size(path)) {
        header.assign(in->begin(), in->begin() + static_cast<std::ptrdiff_t>(header_size(path)));
        header[0] = path;
      }
    }
    if (header.empty()) return std::nullopt;
    const int32_t path = header[0];
    if (path != kLinear16Release && path != kLinear16Dev && path != kLattice) return std::nullopt;
    const float lo = std::bit_cast<float>(header[1]), hi = std::bit_cast<float>(header[2]);
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) return std::nullopt;
    return CodedLattice{lo, hi, path == kLattice ? header[3] : 1};
  }

 protected:
  F32 decode_typed(const I32& in) const override {
    if (in.empty()) throw_corrupt("grid", 0, "missing header");
    const int32_t path = in[0];
    if (path == kRound) {
      F32 out(in.size() - 1);
      dequantize_all(std::span(in).subspan(1), step_, out.data());
      return out;
    }
    if (path == kLattice) return decode_lattice(in);
    if (path == kRoundNarrow) {
      check_narrow_step(in);
      const double step = narrow_step(in);
      F32 out(in.size() - 3);
      dequantize_all(std::span(in).subspan(3), step, out.data());
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
  F32 decode_against_1_0(const I32& in, std::span<const float> base) const {
    if (in.empty() || !(in[0] & kAgainstBase)) return decode_typed(in);
    const int32_t path = in[0] & ~kAgainstBase;
    if (path < kRound || path > kRoundNarrow) throw_corrupt("grid", 0, "unknown path " + std::to_string(in[0]));
    const size_t h = header_size(path);
    if (in.size() < h) throw_corrupt("grid", in.size(), "header cut off");
    if (in.size() - h != base.size())
      throw_corrupt("grid", 0, std::to_string(in.size() - h) + " values against a base of " + std::to_string(base.size()));
    I32 header(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(h));
    header[0] = path;
    check_header(header, 0, step_);
    I32 own(in.size());
    predict_indices_1_0(in, base, step_, own.data() + h);
    std::copy(header.begin(), header.end(), own.begin());
    for (size_t i = h; i < in.size(); ++i) own[i] = wrap_add(in[i], own[i]);
    return decode_typed(own);
  }

  // An Lc0 layer on a grid finer than 2*tol: rounding it would leave the grid, and writing it
  // back as LINEAR16 would add up to half a grid step of error. Code it instead on a lattice
  // that a released lc0 reads exactly: every (2m+1)-th index of its own grid (m = floor(tol /
  // grid step): off by at most m steps), or a new range whose lattice lies near multiples of
  // 2*tol (fit_linear16_lattice). Of two uniform lattices over the same values the coarser
  // codes in fewer bits (order-0 entropy falls by log2 of the spacing ratio), so the choice
  // is by spacing. Rounding if neither fits.
  static I32 with_lattice_header(I32 out, const Linear16Lattice& lattice) {
    out[0] = kLattice;
    out[1] = std::bit_cast<int32_t>(lattice.min_val);
    out[2] = std::bit_cast<int32_t>(lattice.max_val);
    out[3] = lattice.step;
    return out;
  }

  // Whether the first values lie bit for bit on the grid [lo, hi] (either formula).
  static bool on_grid_sample(const F32& in, float lo, float hi) {
    const F32 head(in.begin(), in.begin() + std::min<size_t>(in.size(), 4096));
    std::vector<int32_t> scratch(head.size());
    return grid_indices(head, kLinear16Release, lo, hi, zero_index(lo, hi), scratch.data()) ||
           grid_indices(head, kLinear16Dev, lo, hi, zero_index(lo, hi), scratch.data());
  }

  // grid_index: each value's exact index on [lo, hi] minus the index of zero.
  I32 on_lattice(const F32& in, float lo, float hi, Path path, const int32_t* grid_index) const {
    I32 out(4 + in.size());
    const double grid_step = (static_cast<double>(hi) - lo) / kLevels;
    const int32_t m = static_cast<int32_t>(std::floor(tolerance_ / grid_step));
    // The fit's indices, kept apart from `out` while an own-grid lattice may still be tried
    // there; not zero-filled first (a fit that holds writes every one).
    const std::unique_ptr<int32_t[]> fitted = std::make_unique_for_overwrite<int32_t[]>(in.size());
    std::optional<Linear16Lattice> fit;
    auto fit_spacing = [&] { return (static_cast<double>(fit->max_val) - fit->min_val) / kLevels * fit->step; };
    auto take_fit = [&] {
      std::copy_n(fitted.get(), in.size(), out.begin() + 4);
      return with_lattice_header(std::move(out), *fit);
    };
    // Where no own lattice can reach 2*tol, a fit coarser than the coarsest own one wins
    // whatever the own ones give: it is tried first, and they are not.
    const bool fit_first = path != kLinear16Release || (2 * m + 1) * grid_step < step_;
    if (fit_first) {
      fit = fit_linear16_lattice(in, tolerance_, fitted.get());
      if (fit && fit_spacing() > (path == kLinear16Release ? (2 * m + 1) * grid_step : 0)) return take_fit();
    }
    std::optional<Linear16Lattice> own;
    if (path == kLinear16Release) {
      for (int32_t mm = m; mm >= 0 && mm >= m - 1 && !own; --mm)
        if (own_grid_lattice(in, {lo, hi, 2 * mm + 1}, grid_index, mm * grid_step, out.data() + 4))
          own = Linear16Lattice{lo, hi, 2 * mm + 1};
    }
    const double own_spacing = own ? own->step * grid_step : 0;
    if (own && own_spacing >= step_) return with_lattice_header(std::move(out), *own);  // no new lattice is coarser than 2*tol
    if (!fit_first) fit = fit_linear16_lattice(in, tolerance_, fitted.get());
    if (fit && (!own || fit_spacing() > own_spacing)) return take_fit();
    if (own) return with_lattice_header(std::move(out), *own);
    return rounded(in);
  }

  // Rounded to multiples of 2*tol; where float32 rounding of a reconstruction breaks the
  // bound for both grid neighbours (a value halfway between two of them, as 0.0019 is at
  // tol 1e-4), to multiples of a step narrower by what float32 rounding can add at the
  // values' magnitude, stored in the header (kRoundNarrow).
  I32 rounded(const F32& in) const {
    I32 out(1 + in.size());
    out[0] = kRound;
    try {
      quantize_to_step(in, step_, /*round=*/true, tolerance_, "grid", out.data() + 1);
      return out;
    } catch (const Error&) {
      float magnitude = 0;
      for (float v : in) magnitude = std::max(magnitude, std::fabs(v));  // NaN/Inf: refused below anyway
      // |q * step - v| <= step / 2 exactly; rounding q * step to float32 adds at most half
      // an ulp of the reconstruction, which is below magnitude + step: one ulp of margin.
      const float top = std::nextafter(static_cast<float>(magnitude + step_), INFINITY);
      const double ulp = static_cast<double>(std::nextafter(top, INFINITY)) - top;
      const double step = step_ - 2 * ulp;
      if (!(step > 0) || !std::isfinite(magnitude)) throw;
      out.assign(3 + in.size(), 0);
      out[0] = kRoundNarrow;
      const uint64_t bits = std::bit_cast<uint64_t>(step);
      out[1] = static_cast<int32_t>(static_cast<uint32_t>(bits));
      out[2] = static_cast<int32_t>(static_cast<uint32_t>(bits >> 32));
      quantize_to_step(in, step, /*round=*/true, tolerance_, "grid", out.data() + 3);
      return out;
    }
  }

  // A stored narrow step must be a positive step no wider than 2*tol: a wider one would
  // break the bound, and zero or NaN would reconstruct nothing.
  void check_narrow_step(const I32& in) const {
    if (in.size() < 3) throw_corrupt("grid", in.size(), "header cut off");
    const double step = narrow_step(in);
    if (!(step > 0) || !(step <= step_))
      throw_corrupt("grid", 1, "narrow step " + std::to_string(step) + " out of range");
  }

  // Every (2m+1)-th index of the values' own grid: each value moves by at most m indices.
  // Every decoder lc0 uses must read the moved index within tol of the value's own index,
  // both on the same range (each range max the layer may have had: Linear16Originals, its two
  // ends). Where m grid steps plus those decoders' float32 rounding (at most 7 half-ulps of
  // the range's magnitude per reading, twice) stay below tol no value needs a check; else each
  // is checked, and one that breaks the bound gives up m. compress checks the layer again on
  // the range its file really has.
  bool own_grid_lattice(const F32& in, const Linear16Lattice& lattice, const int32_t* grid_index, double worst_move,
                        int32_t* out) const {
    const int32_t j = lattice.step;
    const float lo = lattice.min_val, hi = lattice.max_val;
    const int32_t zero = zero_index(lo, hi);
    const double magnitude = std::max(std::fabs(static_cast<double>(lo)), std::fabs(static_cast<double>(hi)));
    const bool safe = worst_move + 16 * 0x1p-24 * magnitude <= tolerance_;
    std::optional<Linear16Originals> originals;  // built for the first value that needs a check
    auto make_originals = [&] {
      std::vector<uint16_t> u(in.size());
      for (size_t i = 0; i < in.size(); ++i) u[i] = static_cast<uint16_t>(zero + grid_index[i]);
      originals.emplace(in, lo, hi, std::move(u));
    };
    for (size_t i = 0; i < in.size(); ++i) {
      const int32_t d = grid_index[i];
      int32_t k = (d >= 0 ? d + j / 2 : d - j / 2) / j;  // nearest multiple of j, ties away from 0
      int64_t u = int64_t{zero} + int64_t{k} * j;
      if (u > kLevels) --k, u -= j;  // the end of the grid: the next lattice index inwards
      if (u < 0) ++k, u += j;
      out[i] = k;
      if (safe && u - zero - d <= (j - 1) / 2 && zero + d - u <= (j - 1) / 2) continue;
      if (!originals) make_originals();
      if (!(originals->error_on_own_grid(i, static_cast<int32_t>(u)) <= tolerance_)) return false;
    }
    return true;
  }

  static F32 decode_lattice(const I32& in) {
    if (in.size() < 4) throw_corrupt("grid", in.size(), "lattice header cut off");
    const float lo = std::bit_cast<float>(in[1]), hi = std::bit_cast<float>(in[2]);
    const int32_t step = in[3];
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) throw_corrupt("grid", 1, "invalid grid range");
    if (step < 1 || step > kLevels) throw_corrupt("grid", 3, "lattice step " + std::to_string(step) + " out of range");
    const int64_t z = zero_index(lo, hi);
    F32 out(in.size() - 4);
    for (size_t i = 4; i < in.size(); ++i) {
      const int64_t u = z + int64_t{in[i]} * step;
      if (u < 0 || u > kLevels) throw_corrupt("grid", i, "lattice index out of range");
      out[i - 4] = linear16_release(static_cast<int32_t>(u), lo, hi);
    }
    return out;
  }

  double tolerance_, step_;
};

}  // namespace

StageDescriptor grid_stage() {
  return {.name = "grid",
          .kind = StageKind::quantize,
          .input = StreamType::f32,
          .output = StreamType::i32,
          .doc = "Lc0 LINEAR16 grid index (lossless), or a LINEAR16 lattice index for finer grids, else round at step 2*tol",
          .params = {},
          .library_version = {},
          .make = [](const Params&, const StageContext& ctx) { return std::make_unique<Grid>(ctx.tolerance); }};
}

}  // namespace lcz
