// forge_lcz IN.lcz OUTDIR: writes the self-contradicting variants of a container
// (tests/container_forgery.h) as OUTDIR/<IN's stem>.<variant>.lcz and prints each path, for
// the CLI test.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "nets/net.h"
#include "tests/container_forgery.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: forge_lcz IN.lcz OUTDIR\n";
    return 2;
  }
  try {
    const std::vector<uint8_t> file = lcz::read_file_bytes(argv[1]);
    for (const auto& f : lcz::test::forgeries(file)) {
      const std::filesystem::path path =
          std::filesystem::path(argv[2]) / (std::filesystem::path(argv[1]).stem().string() + "." + f.name + ".lcz");
      std::ofstream out(path, std::ios::binary);
      out.write(reinterpret_cast<const char*>(f.file.data()), static_cast<std::streamsize>(f.file.size()));
      if (!out) throw std::runtime_error("cannot write " + path.string());
      std::cout << path.string() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "forge_lcz: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
