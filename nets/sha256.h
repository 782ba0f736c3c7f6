// SHA-256 digests as lowercase hex, for pinning datasets and outputs (OpenSSL EVP).
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace lcz {

std::string sha256_hex(std::span<const uint8_t> data);

// Streams the file; throws lcz::Error (input) if it cannot be opened or read.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace lcz
