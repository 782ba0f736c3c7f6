#include "codecs/entropy/rans/cell_map.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "codecs/core/bit_reader.h"
#include "codecs/core/bit_writer.h"

namespace lcz::rans {
namespace {

constexpr int kIterations = 8;
constexpr float kPrior = 0.02f;  // pseudo-count per token of a cluster's distribution

// Magnitude class of a signed token at m = kMaxSignedMantissa.
int class_of_signed(int t) {
  const int unsigned_count = token_count(kMaxSignedMantissa);
  return token_shape(static_cast<uint32_t>(t < unsigned_count ? t : t - unsigned_count + 1), kMaxSignedMantissa).cls;
}

}  // namespace

CellCounts::CellCounts() { row_of_cell_.fill(-1); }

uint32_t* CellCounts::row(uint32_t cell) {
  int16_t& r = row_of_cell_[cell];
  if (r < 0) {
    r = static_cast<int16_t>(rows_.size());
    rows_.emplace_back();
    rows_.back().fill(0);
  }
  return rows_[static_cast<size_t>(r)].data();
}

namespace {

struct Cell {
  int cell;
  uint64_t mass = 0;
  double mean = 0;
  std::vector<std::pair<uint16_t, uint32_t>> counts;  // nonzero (token, count)
};

// sum[k] += count * cost[k] for every cluster k: one vector loop (kept out of line, where the
// compiler would otherwise interleave two tokens' loops and leave them scalar).
[[gnu::noinline]] void add_scaled(float* __restrict sum, const float* __restrict cost, float count) {
  for (int k = 0; k < kMaxClusters; ++k) sum[k] += count * cost[k];
}

// Cells (sorted by mean token) in at most k_max clusters; data_bits: the cells' tokens
// coded with their cluster's distribution.
CellMap fit_clusters(const std::vector<Cell>& cells, const std::vector<int>& order, int k_max, double& data_bits) {
  CellMap map;
  uint64_t total = 0;
  for (const Cell& x : cells) total += x.mass;
  // Clusters of equal mass along the mean class, then Lloyd's iteration.
  std::vector<int> cluster(cells.size());
  uint64_t before = 0;
  for (int i : order) {
    cluster[i] = static_cast<int>(std::min<uint64_t>(before * k_max / total, k_max - 1));
    before += cells[i].mass;
  }
  // cost[t][k] = -log2 p of token t in cluster k (clusters past k_max: 0, never chosen), laid
  // out so that a cell's bits in every cluster are one pass over its tokens (it vectorizes).
  std::vector<std::array<float, kMaxClusters>> cost(kMaxSignedTokens);
  std::vector<std::array<uint64_t, kMaxSignedTokens>> sums(k_max);
  std::vector<uint64_t> mass(k_max);
  auto estimate = [&] {
    for (auto& x : sums) x.fill(0);
    std::fill(mass.begin(), mass.end(), 0);
    for (size_t i = 0; i < cells.size(); ++i) {
      for (auto [t, n] : cells[i].counts) sums[cluster[i]][t] += n;
      mass[cluster[i]] += cells[i].mass;
    }
    for (auto& x : cost) x.fill(0.0f);
    for (int k = 0; k < k_max; ++k) {
      const float denominator = static_cast<float>(mass[k]) + kPrior * kMaxSignedTokens;
      for (int t = 0; t < kMaxSignedTokens; ++t)
        cost[t][k] = -estimate_log2((static_cast<float>(sums[k][t]) + kPrior) / denominator);
    }
  };
  // The bits of cell i in each cluster: per cluster the same sum, in the same order, as one
  // cluster at a time would give.
  std::array<float, kMaxClusters> bits;
  auto bits_in_each = [&](size_t i) {
    bits.fill(0.0f);
    for (auto [t, n] : cells[i].counts) add_scaled(bits.data(), cost[t].data(), static_cast<float>(n));
  };
  for (int it = 0; it < kIterations; ++it) {
    estimate();
    bool changed = false;
    for (size_t i = 0; i < cells.size(); ++i) {
      bits_in_each(i);
      // The cell's own cluster has mass (the cell is in it); a move must gain.
      int best = cluster[i];
      float best_bits = bits[best];
      for (int k = 0; k < k_max; ++k) {
        if (!mass[k] || k == cluster[i]) continue;
        if (bits[k] < best_bits) best = k, best_bits = bits[k];
      }
      if (best != cluster[i]) cluster[i] = best, changed = true;
    }
    if (!changed) break;
  }
  estimate();
  data_bits = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    bits_in_each(i);
    data_bits += bits[cluster[i]];
  }
  // Labels by first use in cell order, so that empty clusters leave no gaps.
  std::vector<int> label(k_max, -1);
  map.clusters = 0;
  std::array<int16_t, kCells> of_cell;
  of_cell.fill(-1);
  for (size_t i = 0; i < cells.size(); ++i) {
    int& l = label[cluster[i]];
    if (l < 0) l = map.clusters++;
    of_cell[cells[i].cell] = static_cast<int16_t>(l);
  }
  // Cells never seen cost one bit each in the map: a row never seen is the row before it;
  // in a row seen in part, a cell takes the level before it (level 0: the first seen).
  for (int row = 0; row < kRows; ++row) {
    int first = -1;
    for (int level = 0; level < kLevels && first < 0; ++level) first = of_cell[level * kRows + row];
    for (int level = 0; level < kLevels; ++level) {
      const int c = of_cell[level * kRows + row];
      uint8_t& out = map.cluster_of_cell[level * kRows + row];
      if (first < 0) out = row > 0 ? map.cluster_of_cell[level * kRows + row - 1] : 0;
      else if (c >= 0) out = static_cast<uint8_t>(c);
      else out = level > 0 ? map.cluster_of_cell[(level - 1) * kRows + row] : static_cast<uint8_t>(first);
    }
  }
  return map;
}

}  // namespace

CellMap CellCounts::fit() const {
  std::vector<Cell> cells;
  for (int c = 0; c < kCells; ++c) {
    if (row_of_cell_[c] < 0) continue;
    Cell x{c, 0, 0, {}};
    const auto& h = rows_[static_cast<size_t>(row_of_cell_[c])];
    for (int t = 0; t < kMaxSignedTokens; ++t)
      if (h[t]) {
        x.counts.push_back({static_cast<uint16_t>(t), h[t]});
        x.mass += h[t];
        x.mean += static_cast<double>(h[t]) * class_of_signed(t);
      }
    if (!x.mass) continue;
    x.mean /= static_cast<double>(x.mass);
    cells.push_back(std::move(x));
  }
  if (cells.empty()) return CellMap{};
  std::vector<int> order(cells.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return cells[a].mean != cells[b].mean ? cells[a].mean < cells[b].mean : cells[a].cell < cells[b].cell;
  });
  // The number of clusters that codes smallest, map included (more clusters: closer
  // distributions, a larger map and more tables per block).
  CellMap best;
  double best_bits = INFINITY;
  for (int k : {kMaxClusters / 4, kMaxClusters}) {
    const int k_max = static_cast<int>(std::min<size_t>(k, cells.size()));
    double data_bits = 0;
    CellMap map = fit_clusters(cells, order, k_max, data_bits);
    Bytes coded;
    ByteWriter w(coded);
    write_cell_map(map, w);
    const double bits = data_bits + 8.0 * static_cast<double>(coded.size());
    if (bits < best_bits) best = map, best_bits = bits;
    if (k_max < k) break;
  }
  return best;
}

namespace {
// The cluster the map's code predicts for cell (level, row): the level before it in the row,
// level 0 that of the row before (the first cell: 0).
uint8_t predicted(const CellMap& map, int level, int row) {
  if (level > 0) return map.cluster_of_cell[(level - 1) * kRows + row];
  return row > 0 ? map.cluster_of_cell[row - 1] : 0;
}
bool same_as_row_before(const CellMap& map, int row) {
  for (int level = 0; level < kLevels; ++level)
    if (map.cluster_of_cell[level * kRows + row] != (row > 0 ? map.cluster_of_cell[level * kRows + row - 1] : 0)) return false;
  return true;
}
}  // namespace

void write_cell_map(const CellMap& map, ByteWriter& w) {
  Bytes body;
  BitWriter b(body);
  b.put(static_cast<uint32_t>(map.clusters - 1), 6);
  const int width = std::bit_width(static_cast<unsigned>(map.clusters - 1));
  for (int row = 0; row < kRows; ++row) {
    const bool same = same_as_row_before(map, row);
    b.put(same, 1);
    if (same) continue;
    for (int level = 0; level < kLevels; ++level) {
      const uint8_t c = map.cluster_of_cell[level * kRows + row];
      const bool hit = c == predicted(map, level, row);
      b.put(hit, 1);
      if (!hit) b.put(c, width);
    }
  }
  b.flush();
  w.varint(body.size());
  w.bytes(body);
}

CellMap read_cell_map(ByteReader& r) {
  const size_t length_at = r.offset();
  const size_t length = r.count(r.remaining(), "cell map byte length");
  const size_t start = r.offset();
  BitReader b(r.bytes(length), start);
  const char* what = "cell map";
  CellMap map;
  map.clusters = static_cast<int>(b.get_checked(6, "rans", what)) + 1;
  const int width = std::bit_width(static_cast<unsigned>(map.clusters - 1));
  for (int row = 0; row < kRows; ++row) {
    const bool same = b.get_checked(1, "rans", what);
    for (int level = 0; level < kLevels; ++level) {
      uint8_t& c = map.cluster_of_cell[level * kRows + row];
      if (same) {
        c = row > 0 ? map.cluster_of_cell[level * kRows + row - 1] : 0;
      } else if (b.get_checked(1, "rans", what)) {
        c = predicted(map, level, row);
      } else {
        const uint32_t x = b.get_checked(width, "rans", what);
        if (x >= static_cast<uint32_t>(map.clusters))
          r.fail(b.byte_offset(), "cell map: cluster " + std::to_string(x) + " of " + std::to_string(map.clusters));
        c = static_cast<uint8_t>(x);
      }
    }
  }
  if (b.bits_left() >= 8) r.fail(length_at, "cell map of " + std::to_string(length) + " bytes has trailing bytes");
  return map;
}

}  // namespace lcz::rans
