#include "harness/report/provenance.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <set>

#include "nets/sha256.h"
#include "harness/shard.h"

namespace lcz {
namespace {

std::string command_output(const std::string& cmd) {
  std::array<char, 256> buf{};
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "";
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

std::string utc(const char* format) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string config_fingerprint(const Config& config) {
  nlohmann::json plan = {{"tolerance", tolerance_text(config.tolerance)},
                         {"repeat", config.repeat},
                         {"min_seconds", config.min_seconds}};
  for (const auto& d : config.datasets) plan["datasets"].push_back(d.name);
  for (const auto& p : config.pipelines) plan["pipelines"].push_back(resolved_json(p));
  const std::string text = plan.dump();
  return sha256_hex({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::string run_timestamp() { return utc("%Y%m%d-%H%M%S"); }

nlohmann::json provenance(const Config& config) {
  const std::string src = LCZ_SOURCE_DIR;
  std::string sha = command_output("git -C '" + src + "' rev-parse HEAD 2>/dev/null");
  bool dirty = !command_output("git -C '" + src + "' status --porcelain --untracked-files=no 2>/dev/null").empty();
  nlohmann::json libs = nlohmann::json::object();
  std::set<std::string> seen;
  for (const auto& p : config.pipelines)
    for (const auto& s : p.stages)
      if (s.descriptor->library_version && seen.insert(s.descriptor->name).second)
        libs[s.descriptor->name] = s.descriptor->library_version();
  nlohmann::json plan = {{"datasets", nlohmann::json::array()}, {"pipelines", nlohmann::json::array({kMemcpyRow})}};
  for (const auto& d : config.datasets) plan["datasets"].push_back(d.name);
  for (const auto& p : config.pipelines) plan["pipelines"].push_back(p.name);
  return {{"git_sha", sha.empty() ? "unknown" : sha},
          {"git_dirty", dirty},
          {"compiler", LCZ_COMPILER},
          {"cxx_flags", LCZ_CXX_FLAGS},
          {"cpu", cpu_model()},
          {"date_utc", utc("%Y-%m-%dT%H:%M:%SZ")},
          {"libraries", libs},
          {"tolerance", config.tolerance},
          {"repeat", config.repeat},
          {"min_seconds", config.min_seconds},
          {"plan", plan},
          {"config_fingerprint", config_fingerprint(config)},
          {"config_file", config.file.string()},
          {"config", config.json}};
}

}  // namespace lcz
