// Raw little-endian float32 files (.f32/.bin/.hex/.raw): one flat tensor named by the file stem.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "nets/net.h"

namespace lcz {

// Throws lcz::Error(input) naming the file when it is empty, its size is not a multiple of 4,
// or it holds NaN/Inf.
Net read_f32_net(std::span<const uint8_t> file_bytes, const std::filesystem::path& path);

// All tensors concatenated, as read_f32_net reads them.
std::vector<uint8_t> f32_file_bytes(const Net& net);

}  // namespace lcz
