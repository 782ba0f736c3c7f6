// Net files written back from tensors: raw little-endian float32 (all tensors concatenated,
// as read_f32_net reads them) and NumPy .npy (one float32 tensor). Lc0 files are rebuilt from
// a skeleton: see lc0_skeleton.h.
#pragma once
#include <cstdint>
#include <vector>

#include "nets/net.h"

namespace lcz {

std::vector<uint8_t> f32_file_bytes(const Net& net);

// Format version 1, descr '<f4', C order, the tensor's shape. Throws lcz::Error(codec) for a
// net of more than one tensor.
std::vector<uint8_t> npy_file_bytes(const Net& net);

}  // namespace lcz
