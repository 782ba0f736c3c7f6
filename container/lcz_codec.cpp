#include "container/lcz_codec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>

#include "codecs/core/error.h"
#include "codecs/quantize/linear16_lattice.h"
#include "container/parallel.h"
#include "nets/lc0_reader.h"
#include "nets/lc0_skeleton.h"
#include "nets/net_writers.h"
#include "nets/npy_reader.h"
#include "nets/sha256.h"
#include "pipeline/pipeline.h"

namespace lcz {
namespace {

// A chunk's decoders may produce at most this much (every intermediate stream of a pipeline
// holds at most a few bytes per weight): a corrupt stream cannot make them allocate more.
uint64_t decode_limit(uint64_t weights) { return 16 * weights + (uint64_t{1} << 20); }

struct ChunkPlan {
  size_t first = 0, count = 0;
};

std::vector<ChunkPlan> plan_chunks(const NetLayout& layout, uint64_t chunk_weights) {
  std::vector<ChunkPlan> plan;
  uint64_t in_chunk = 0;
  for (size_t i = 0; i < layout.tensors.size(); ++i) {
    if (plan.empty() || (chunk_weights > 0 && in_chunk >= chunk_weights)) {
      plan.push_back({i, 0});
      in_chunk = 0;
    }
    ++plan.back().count;
    in_chunk += layout.tensors[i].count;
  }
  return plan;
}

double max_abs_error(std::span<const float> original, std::span<const float> decoded, size_t* worst) {
  double max_error = 0;
  for (size_t i = 0; i < original.size(); ++i) {
    const double e = std::fabs(static_cast<double>(decoded[i]) - static_cast<double>(original[i]));
    if (std::isnan(e)) {
      *worst = i;
      return std::nan("");
    }
    if (e > max_error) max_error = e, *worst = i;
  }
  return max_error;
}

F32 round_trip_16(std::span<const float> values, SourceEncoding::Kind kind) {
  F32 out(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = kind == SourceEncoding::Kind::float16 ? half_to_float(float_to_half(values[i]))
                                                   : bfloat16_to_float(float_to_bfloat16(values[i]));
  return out;
}

// The values a user loads from the written file, for a tensor written in `output`.
F32 loaded_values(const F32& decoded, const SourceEncoding& output) {
  switch (output.kind) {
    case SourceEncoding::Kind::linear16: return as_lc0_decodes_linear16(decoded, output.min_val, output.max_val);
    case SourceEncoding::Kind::float16:
    case SourceEncoding::Kind::bfloat16: return round_trip_16(decoded, output.kind);
    case SourceEncoding::Kind::float32:
    case SourceEncoding::Kind::none: break;
  }
  return decoded;
}

struct OutputChoice {
  SourceEncoding output;
  double max_error = 0;
  size_t worst = 0;
  std::string warning;
};

// How decompress will write a decoded tensor so that the loaded values stay within the
// tolerance of the original: an Lc0 LINEAR16 layer stays LINEAR16 (released lc0 loads nothing
// else), on its source range when that keeps the bound, else on the range of the decoded
// values; FLOAT16/BFLOAT16 stay so where the bound holds, else become FLOAT32.
OutputChoice choose_output(const Tensor& original, const F32& decoded, SourceFormat format, double tolerance) {
  OutputChoice choice;
  choice.output.kind = SourceEncoding::Kind::float32;
  const auto kind = original.source.kind;
  if (format != SourceFormat::lc0 || kind == SourceEncoding::Kind::float32 || kind == SourceEncoding::Kind::none) {
    choice.max_error = max_abs_error(original.values, decoded, &choice.worst);
    return choice;
  }
  if (kind == SourceEncoding::Kind::float16 || kind == SourceEncoding::Kind::bfloat16) {
    size_t worst = 0;
    const double e = max_abs_error(original.values, round_trip_16(decoded, kind), &worst);
    if (e <= tolerance) {
      choice.output.kind = kind;
      choice.max_error = e;
      choice.worst = worst;
      return choice;
    }
    choice.warning = "tensor " + original.name + " is written as FLOAT32: in its source encoding the error would be " +
                     std::to_string(e / tolerance) + " x the tolerance";
    choice.max_error = max_abs_error(original.values, decoded, &choice.worst);
    return choice;
  }
  // LINEAR16, on the first of these ranges that keeps the bound: the source range, the range
  // of the original values (where the grid stage finds a layer's grid, exactly or on a
  // lattice), the range the grid stage fits for a new lattice, the range of the decoded values.
  std::vector<SourceEncoding> candidates = {original.source};
  if (!original.values.empty()) {
    const auto [lo, hi] = std::minmax_element(original.values.begin(), original.values.end());
    candidates.push_back({SourceEncoding::Kind::linear16, *lo, *hi});
  }
  if (auto fit = fit_linear16_lattice(original.values, tolerance))
    candidates.push_back({SourceEncoding::Kind::linear16, fit->min_val, fit->max_val});
  if (!decoded.empty()) {
    const auto [lo, hi] = std::minmax_element(decoded.begin(), decoded.end());
    candidates.push_back({SourceEncoding::Kind::linear16, *lo, *hi});
  }
  double best = INFINITY;
  for (const auto& c : candidates) {
    size_t worst = 0;
    const double e = max_abs_error(original.values, loaded_values(decoded, c), &worst);
    if (e <= tolerance) return {c, e, worst, ""};
    if (!(e >= best)) best = e, choice.worst = worst;
  }
  throw Error(ErrorKind::verify, "tensor " + original.name + " cannot be written as LINEAR16 within the tolerance: " +
                                     "as lc0 decodes it, weight " + std::to_string(choice.worst) + " is off by " +
                                     std::to_string(best / tolerance) +
                                     " x the tolerance (a pipeline that starts with grid keeps Lc0 layers on a LINEAR16 grid)");
}

// The base tensors of tensors [first, first + count) (base_counterparts() of the whole layout
// in `match`); nullopt when one of them has none.
std::optional<Pipeline::Bases> bases_for(const BaseNet& base, const std::vector<int64_t>& match, size_t first,
                                         size_t count) {
  Pipeline::Bases bases;
  for (size_t i = first; i < first + count; ++i) {
    if (match[i] < 0) return std::nullopt;
    bases.emplace_back(base.net.tensors[static_cast<size_t>(match[i])].values);
  }
  return bases;
}

PipelineSpec stored_pipeline(const ContainerHeader& h, const std::string& source) {
  PipelineSpec spec;
  try {
    spec = parse_pipeline(h.pipeline, "", source + ": stored pipeline");
  } catch (const Error& e) {
    throw_input(std::string(e.what()) + " (the container names a stage or parameter this build does not know)");
  }
  if (resolved_json(spec) != h.pipeline)
    throw_input(source + ": the stored pipeline " + h.pipeline.dump() + " reads as " + resolved_json(spec).dump() +
                " in this build: its stages would not decode the same way");
  return spec;
}

}  // namespace

SourceNet read_source_net(std::span<const uint8_t> bytes, const std::string& name, NetFormat format) {
  SourceNet s;
  s.name = name;
  if (format == NetFormat::detect) format = detect_net_format(bytes, name);
  if (format == NetFormat::lc0) {
    const pblczero::Net message = parse_lc0_net(bytes, name);
    s.net.source = name;
    s.net.format = "lc0";
    s.net.tensors = lc0_tensors(message, name);
    if (s.net.tensors.empty()) throw_input(name + ": Lc0 net without any weight tensor");
    s.lc0_skeleton = lc0_skeleton(message);
  } else {
    s.net = read_net_bytes(bytes, name, format);
  }
  s.format = source_format_of(s.net.format);
  return s;
}

BaseNet read_base_net(std::span<const uint8_t> bytes, const std::string& name) {
  BaseNet b;
  b.net = read_source_net(bytes, name).net;
  const std::string hex = sha256_hex(bytes);
  for (size_t i = 0; i < 32; ++i) b.sha256[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return b;
}

CompressResult compress(const SourceNet& source, const CompressOptions& options) {
  const Net& net = source.net;
  const NetLayout layout = layout_of(net);
  const std::vector<ChunkPlan> plan = plan_chunks(layout, options.chunk_weights);

  ContainerHeader header;
  header.pipeline = resolved_json(options.pipeline);
  header.tolerance = options.tolerance;
  header.source_format = source.format;
  header.source_name = std::filesystem::path(source.name).filename().string();
  header.chunk_weights = options.chunk_weights;
  header.lc0_skeleton = source.lc0_skeleton;
  header.tensors.resize(net.tensors.size());
  header.chunks.resize(plan.size());
  if (options.base) {
    header.base_sha256 = options.base->sha256;
    if (!Pipeline(options.pipeline, {.tolerance = options.tolerance}).codes_against_base())
      throw_config("pipeline '" + options.pipeline.name + "' cannot code against a base: its first stage is not a quantizer");
  }

  const std::vector<int64_t> base_match = options.base ? base_counterparts(layout, options.base->net) : std::vector<int64_t>{};
  std::vector<Bytes> payloads(plan.size());
  std::vector<OutputChoice> outputs(net.tensors.size());
  std::mutex progress_mutex;
  size_t done = 0;
  parallel_for(plan.size(), options.threads, [&](size_t c) {
    const ChunkPlan& chunk = plan[c];
    const std::span<const Tensor> tensors(net.tensors.data() + chunk.first, chunk.count);
    const std::span<const TensorLayout> chunk_layout(layout.tensors.data() + chunk.first, chunk.count);
    uint64_t weights = 0;
    for (const auto& t : chunk_layout) weights += t.count;
    const Pipeline pipeline(options.pipeline, {.tolerance = options.tolerance, .max_decoded_bytes = decode_limit(weights)});
    payloads[c] = pipeline.encode_tensors(tensors);
    // Against the base where that is smaller: the decoded values are the same either way.
    std::optional<Pipeline::Bases> bases;
    if (options.base) bases = bases_for(*options.base, base_match, chunk.first, chunk.count);
    if (bases) {
      Bytes against = pipeline.encode_tensors(tensors, &*bases);
      if (against.size() < payloads[c].size()) {
        payloads[c] = std::move(against);
        header.chunks[c].mode = ChunkMode::against_base;
      }
    }
    // Decode what was written, as a client will, and check it as the client will load it.
    const bool against_base = header.chunks[c].mode == ChunkMode::against_base;
    std::vector<F32> decoded = pipeline.decode_tensors(payloads[c], chunk_layout, against_base ? &*bases : nullptr);
    for (size_t k = 0; k < chunk.count; ++k) {
      const size_t i = chunk.first + k;
      outputs[i] = choose_output(net.tensors[i], decoded[k], source.format, options.tolerance);
      header.tensors[i] = {layout.tensors[i], outputs[i].output};
    }
    header.chunks[c].tensor_count = chunk.count;
    header.chunks[c].values_xxh64 = xxh64_of_values(decoded);
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      ++done;
      options.progress("compressed chunk " + std::to_string(done) + "/" + std::to_string(plan.size()));
    }
  });

  CompressResult result;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const OutputChoice& o = outputs[i];
    if (!o.warning.empty() && options.progress) options.progress("warning: " + o.warning);
    if (std::isnan(o.max_error) || o.max_error > result.as_loaded.max_abs_error || std::isnan(result.as_loaded.max_abs_error)) {
      if (std::isnan(result.as_loaded.max_abs_error)) continue;
      result.as_loaded.max_abs_error = o.max_error;
      result.as_loaded.worst_tensor = net.tensors[i].name;
      result.as_loaded.worst_index = o.worst;
    }
  }
  if (!(result.as_loaded.max_abs_error <= options.tolerance))
    throw Error(ErrorKind::verify, "compressed net breaks the tolerance: tensor " + result.as_loaded.worst_tensor +
                                       ", weight " + std::to_string(result.as_loaded.worst_index) + " is off by " +
                                       std::to_string(result.as_loaded.max_abs_error / options.tolerance) + " x the tolerance");
  for (const auto& p : payloads) result.payload_bytes += p.size();
  for (const auto& c : header.chunks) result.chunks_against_base += c.mode == ChunkMode::against_base;
  result.file = write_container(std::move(header), payloads);
  // The header must read back as written (payload checksums, offsets, the stored pipeline).
  const ContainerHeader check = read_container_header(result.file, "compressed output");
  (void)stored_pipeline(check, "compressed output");
  return result;
}

DecompressResult decompress(std::span<const uint8_t> file, const std::string& source, const BaseNet* base,
                            unsigned threads, const ProgressFn& progress) {
  DecompressResult result;
  result.header = read_container_header(file, source);
  const ContainerHeader& h = result.header;
  const PipelineSpec spec = stored_pipeline(h, source);
  const bool needs_base = std::any_of(h.chunks.begin(), h.chunks.end(), [](const ContainerChunk& c) {
    return c.mode == ChunkMode::against_base;
  });
  if (needs_base && !base)
    throw Error(ErrorKind::config, source + ": was coded against a base net; give it with --base FILE");
  if (base && !h.base_sha256)
    throw Error(ErrorKind::config, source + ": was not coded against a base; --base is not needed");
  if (h.base_sha256 && base && *h.base_sha256 != base->sha256)
    throw_input(source + ": the base given is not the net this file was coded against (SHA-256 differs)");
  const NetLayout layout = h.layout();
  const std::vector<int64_t> base_match = base ? base_counterparts(layout, base->net) : std::vector<int64_t>{};
  std::vector<F32> values(h.tensors.size());
  std::mutex progress_mutex;
  size_t done = 0;
  parallel_for(h.chunks.size(), threads, [&](size_t c) {
    const ContainerChunk& chunk = h.chunks[c];
    const std::span<const TensorLayout> chunk_layout(layout.tensors.data() + chunk.first_tensor, chunk.tensor_count);
    uint64_t weights = 0;
    for (const auto& t : chunk_layout) weights += t.count;
    const Pipeline pipeline(spec, {.tolerance = h.tolerance, .max_decoded_bytes = decode_limit(weights)});
    std::optional<Pipeline::Bases> bases;
    if (chunk.mode == ChunkMode::against_base) {
      bases = bases_for(*base, base_match, chunk.first_tensor, chunk.tensor_count);
      if (!bases)
        throw_input(source + ": chunk " + std::to_string(c) + " was coded against base tensors that the base given lacks");
    }
    std::vector<F32> decoded = pipeline.decode_tensors(chunk_payload(file, h, c, source), chunk_layout, bases ? &*bases : nullptr);
    if (xxh64_of_values(decoded) != chunk.values_xxh64)
      throw Error(ErrorKind::codec, source + ": chunk " + std::to_string(c) + " (tensors " +
                                        h.tensors[chunk.first_tensor].layout.name + " .. " +
                                        h.tensors[chunk.first_tensor + chunk.tensor_count - 1].layout.name +
                                        ") decodes to other values than were compressed (XXH64 differs)");
    for (size_t k = 0; k < chunk.tensor_count; ++k) values[chunk.first_tensor + k] = std::move(decoded[k]);
    if (progress) {
      std::lock_guard lock(progress_mutex);
      ++done;
      progress("decompressed chunk " + std::to_string(done) + "/" + std::to_string(h.chunks.size()));
    }
  });
  result.net = assemble_net(layout, std::move(values));
  result.net.source = source;
  return result;
}

Bytes output_file_bytes(const DecompressResult& d) {
  switch (d.header.source_format) {
    case SourceFormat::f32: return f32_file_bytes(d.net);
    case SourceFormat::npy: return npy_file_bytes(d.net);
    case SourceFormat::lc0: {
      std::vector<SourceEncoding> encodings;
      for (const auto& t : d.header.tensors) encodings.push_back(t.output);
      const pblczero::Net net = rebuild_lc0_net(d.header.lc0_skeleton, d.net.tensors, encodings, d.net.source);
      std::string serialized;
      if (!net.SerializePartialToString(&serialized)) throw Error(ErrorKind::codec, "cannot serialize the Lc0 net");
      return gzip_compress(std::span(reinterpret_cast<const uint8_t*>(serialized.data()), serialized.size()));
    }
  }
  throw Error(ErrorKind::codec, "unknown source format");
}

Net as_loaded(const DecompressResult& d) {
  Net net = d.net;
  for (size_t i = 0; i < net.tensors.size(); ++i) net.tensors[i].values = loaded_values(net.tensors[i].values, d.header.tensors[i].output);
  return net;
}

}  // namespace lcz
