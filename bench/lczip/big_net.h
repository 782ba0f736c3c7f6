// A large Lc0 net made from the shared nets' tensors, for benchmarks at the size users ship
// (about 25 M weights, 100 MB of float32): maia-1900's net with its residual tower grown by
// copies of its blocks whose LINEAR16 indices are each moved by -2..2 at random (seeded; the
// indices 0 and 65535 stay, so each layer keeps its range), so every layer stays on its
// LINEAR16 grid with maia's value distribution, but no block repeats another exactly (which a
// match model would find).
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace lcz::bench {

// The serialized pblczero.Net (plain protobuf, Lc0 magic first) of at least `weights` weights.
std::vector<uint8_t> big_lc0_net(const std::filesystem::path& maia, uint64_t weights, uint32_t seed = 1);

}  // namespace lcz::bench
