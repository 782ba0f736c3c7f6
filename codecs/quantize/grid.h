#pragma once
#include "codecs/core/stage.h"

namespace lcz {
// f32 -> i32 for nets whose weights came from Lc0's LINEAR16 encoding, per tensor (run it
// with granularity "tensor" or as tensor_stages). With min/max the tensor's extremes:
//  - every value reproduced bit for bit by v = u/65535 * (max-min) + min (Lc0 release
//    formula) or by v = min*(1-t) + max*t, t = u/65535 (development formula), on a grid at
//    least as coarse as 2*tol: the grid index u minus the index of zero (error 0);
//  - on such a grid but finer (release formula): the index on a lattice of LINEAR16
//    indices that a released lc0 reads, so the layer can be written back as LINEAR16 within
//    tol: every (2m+1)-th index of its own grid, m = floor(tol / grid step), or a new range
//    from fit_linear16_lattice with its lattice near multiples of 2*tol, the coarser of the two;
//  - otherwise rounded to multiples of 2*tol like `quantize` (mode round), or, where float32
//    rounding of the reconstruction would break the bound for a value halfway between two
//    multiples, to multiples of a step narrower than 2*tol by two float32 ulps of the values'
//    largest magnitude.
// Every LINEAR16 lattice index is chosen so that each of lc0's LINEAR16 decoders
// (kLc0Linear16Decoders) reads it within tol of how it reads the original (a neighbouring
// index where the nearest breaks that; see linear16_lattice.h).
// Header, as the first output values: [0] (round), [1 | 2, bits(min), bits(max)] (grid,
// release | development formula), [3, bits(min), bits(max), step] (lattice: grid index =
// index of zero + value * step, release formula), [4, low 32 bits, high 32 bits] (round at
// the binary64 step these bits give; 0 < step <= 2*tol). Against a base (Stage::encode_against), the
// header goes to the side record and a tensor's indices are coded alone, minus the base's
// indices on this tensor's grid, or minus a per-channel prediction fitted to the base
// (base_prediction.h), chosen per tensor by an estimate of the coded size.
StageDescriptor grid_stage();
}  // namespace lcz
