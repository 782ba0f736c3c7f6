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

Verification verify_as_loaded(const SourceNet& original, const DecompressResult& d) {
  Verification v;
  const NetFileFormat& format = format_of(d.header);
  const auto& a = original.net.tensors;
  const auto& b = d.net.tensors;
  if (a.size() != b.size()) {
    v.mismatch = "decoded " + std::to_string(b.size()) + " tensors, expected " + std::to_string(a.size());
    return v;
  }
  for (size_t t = 0; t < a.size(); ++t) {
    // A tensor named after its file (.f32, .npy): another file name is not another tensor.
    const bool same_name = a[t].name == b[t].name || original.net.named_by_file;
    if (!same_name || a[t].shape != b[t].shape || a[t].values.size() != b[t].values.size()) {
      v.mismatch = "tensor " + std::to_string(t) + " (" + a[t].name + ") differs: " +
                   tensor_difference(a[t], b[t], /*compare_names=*/!original.net.named_by_file);
      return v;
    }
    const LoadedError e = format.loaded_error(a[t], b[t].values, d.header.tensors[t].output);
    if (!(e.max_error <= v.max_abs_error)) {
      v.max_abs_error = e.max_error;
      v.worst_tensor = a[t].name;
      v.worst_index = e.worst;
      v.worst_decoder = e.reader;
    }
  }
  return v;
}

}  // namespace lcz
