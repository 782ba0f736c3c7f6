#include "formats/format.h"

#include <algorithm>
#include <cctype>

#include "nets/input_file.h"

namespace lcz {
namespace {

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool is_detect(std::string_view format) { return format.empty() || format == "detect"; }

}  // namespace

std::string format_extensions() {
  std::string text;
  for (const auto& f : net_file_formats())
    for (const auto& e : f.extensions) text += (text.empty() ? "" : " ") + e;
  return text;
}

const NetFileFormat* find_format(SourceFormat id) {
  for (const auto& f : net_file_formats())
    if (f.id == id) return &f;
  return nullptr;
}

const NetFileFormat* find_format(std::string_view name) {
  for (const auto& f : net_file_formats())
    if (f.name == name) return &f;
  return nullptr;
}

std::string format_names() {
  std::string text = "detect";
  for (const auto& f : net_file_formats()) text += ", " + f.name;
  return text;
}

const NetFileFormat& format_named(std::string_view name, ErrorKind kind) {
  if (const NetFileFormat* f = find_format(name)) return *f;
  throw Error(kind, "format '" + std::string(name) + "' is not one of " + format_names());
}

// The longest ending wins (".onnx.gz" over ".gz").
const NetFileFormat* format_by_extension(const std::filesystem::path& path) {
  const std::string name = lower_case(path.filename().string());
  const NetFileFormat* best = nullptr;
  size_t best_length = 0;
  for (const auto& f : net_file_formats())
    for (const auto& e : f.extensions)
      if (e.size() > best_length && name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0)
        best = &f, best_length = e.size();
  return best;
}

// The name first; content only for a name that says nothing. Raw float32 has no header, so
// any float data may begin with bytes that look like a magic number: the extension (or the
// config's "format") decides, and a headerless file needs one of them.
const NetFileFormat& detect_format(std::span<const uint8_t> bytes, const std::filesystem::path& path) {
  if (const NetFileFormat* by_name = format_by_extension(path)) return *by_name;
  for (const auto& f : net_file_formats())
    if (f.sniff && f.sniff(bytes)) return f;
  std::string sniffed;
  for (const auto& f : net_file_formats())
    if (f.sniff) sniffed += (sniffed.empty() ? "" : ", ") + f.name;
  throw_input(path.string() + ": not a recognised net: the name ends in none of " + format_extensions() +
              ", and the content is none of " + sniffed +
              " (a headerless format needs its extension, or \"format\" in the config / --format)");
}

SourceNet read_source_net(std::span<const uint8_t> bytes, const std::filesystem::path& path, std::string_view format) {
  const NetFileFormat& f = is_detect(format) ? detect_format(bytes, path) : format_named(format, ErrorKind::config);
  return f.read(bytes, path);
}

Net read_net_bytes(std::span<const uint8_t> bytes, const std::filesystem::path& path, std::string_view format) {
  return read_source_net(bytes, path, format).net;
}

std::vector<uint8_t> read_net_file(const std::filesystem::path& path, std::string_view format) {
  const NetFileFormat* f = is_detect(format) ? format_by_extension(path) : &format_named(format, ErrorKind::config);
  return read_regular_file(path, f ? f->max_file_bytes : kMaxRawFileBytes, ErrorKind::input);
}

Net read_net(const std::filesystem::path& path, std::string_view format) {
  return read_net_bytes(read_net_file(path, format), path, format);
}

Net loaded_net(const NetFileFormat& format, Net net, std::span<const SourceEncoding> outputs) {
  for (size_t i = 0; i < net.tensors.size() && i < outputs.size(); ++i)
    net.tensors[i].values = format.loaded_values(net.tensors[i].values, outputs[i]);
  return net;
}

}  // namespace lcz
