// The cell map of a rans stream coded in a base context (format.h, version 4): which of at
// most kMaxClusters clusters each cell (level of the running context e, base context byte)
// belongs to.
// Cells of a cluster share a table in every mode 3 block; each block maps clusters to its
// own tables. The encoder fits the map once per stream, to the values' signed tokens.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/core/byte_io.h"
#include "codecs/entropy/rans/format.h"

namespace lcz::rans {

struct CellMap {
  int clusters = 1;
  std::array<uint8_t, kCells> cluster_of_cell{};  // [level * kRows + context byte]
};

// Counts of signed tokens at m = kMaxSignedMantissa per cell, for fitting a map.
class CellCounts {
 public:
  CellCounts();
  void add(uint32_t cell, uint32_t signed_token) { ++row(cell)[signed_token]; }
  // Clusters of cells with similar counts (Lloyd's iteration on the cross-entropy, from
  // clusters of equal mass in the order of the cells' mean token), at most kMaxClusters;
  // cells never seen join their row's nearest seen level. Deterministic.
  CellMap fit() const;

 private:
  uint32_t* row(uint32_t cell);
  std::array<int16_t, kCells> row_of_cell_;
  std::vector<std::array<uint32_t, kMaxSignedTokens>> rows_;
};

void write_cell_map(const CellMap& map, ByteWriter& w);  // with its byte length ahead
CellMap read_cell_map(ByteReader& r);                    // and checks it; lcz::Error(codec) via r

}  // namespace lcz::rans
