#include "container/output_file.h"

namespace lcz {
namespace {

const NetFileFormat& format_of(const ContainerHeader& h) {
  const NetFileFormat* f = find_format(h.source_format);
  if (!f) throw Error(ErrorKind::codec, "unknown source format");
  return *f;
}

std::vector<SourceEncoding> outputs_of(const ContainerHeader& h) {
  std::vector<SourceEncoding> outputs;
  for (const auto& t : h.tensors) outputs.push_back(t.output);
  return outputs;
}

}  // namespace

void write_output_file(DecompressResult d, const ByteSink& sink, const std::string& output_name) {
  const std::string source = d.net.source;
  const std::string file_name = output_name.empty() ? d.header.source_name : output_name;
  format_of(d.header).write(d.header.skeleton, std::move(d.net), outputs_of(d.header), source, file_name, sink);
}

Bytes output_file_bytes(const DecompressResult& d, const std::string& output_name) {
  Bytes out;
  write_output_file(d, [&](std::span<const uint8_t> b) { out.insert(out.end(), b.begin(), b.end()); }, output_name);
  return out;
}

Net as_loaded(const DecompressResult& d) { return loaded_net(format_of(d.header), d.net, outputs_of(d.header)); }

}  // namespace lcz
