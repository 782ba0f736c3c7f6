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
  uint64_t first = 0, count = 0;  // weights of the net
};

// Chunks of about chunk_weights weights (0: one chunk), balanced: the net is cut into
// n = ceil(total / chunk_weights) chunks aimed at total / n weights each, so that no chunk is a
// small remainder (threads share the work evenly whatever the net's size). With split_tensors a
// chunk ends after exactly its share, inside a tensor if need be (a raw .f32 is one big
// tensor); without, chunks end at tensor boundaries (the grid stage must see a whole Lc0 layer).
std::vector<ChunkPlan> plan_chunks(const NetLayout& layout, uint64_t chunk_weights, bool split_tensors) {
  std::vector<ChunkPlan> plan;
  const uint64_t total = layout.weight_count();
  if (total == 0) return plan;
  if (chunk_weights == 0) return {{0, total}};
  const uint64_t n = (total - 1) / chunk_weights + 1;
  // The k-th of the n ideal boundaries: k * total / n (the product in 128 bits).
  auto boundary = [&](uint64_t k) { return static_cast<uint64_t>(static_cast<unsigned __int128>(total) * k / n); };
  if (split_tensors) {
    for (uint64_t k = 0; k < n; ++k) plan.push_back({boundary(k), boundary(k + 1) - boundary(k)});
    return plan;
  }
  // A chunk ends after the tensor that reaches the next ideal boundary.
  uint64_t at = 0;
  for (const auto& t : layout.tensors) {
    if (t.count == 0) continue;
    if (plan.empty() || at >= boundary(plan.size())) plan.push_back({at, 0});
    plan.back().count += t.count;
    at += t.count;
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

// The base values of each piece (the same weights of the tensor's counterpart in the base);
// nullopt when a piece's tensor has none.
// A whole tensor brings its shape (the quantizer may fit a prediction per channel).
std::optional<Pipeline::Bases> bases_for(const BaseNet& base, const std::vector<int64_t>& match, const NetLayout& layout,
                                         const std::vector<TensorPiece>& pieces) {
  Pipeline::Bases bases;
  for (const auto& p : pieces) {
    if (match[p.tensor] < 0) return std::nullopt;
    const auto& values = base.net.tensors[static_cast<size_t>(match[p.tensor])].values;
    const std::span<const float> piece(values.data() + p.begin, p.end - p.begin);
    if (p.whole(layout)) bases.emplace_back(piece, layout.tensors[p.tensor].shape);
    else bases.emplace_back(piece);
  }
  return bases;
}

std::vector<TensorLayout> piece_layouts(const NetLayout& layout, const std::vector<TensorPiece>& pieces) {
  std::vector<TensorLayout> out;
  for (const auto& p : pieces) {
    if (p.whole(layout)) {
      out.push_back(layout.tensors[p.tensor]);
      continue;
    }
    TensorLayout t = layout.tensors[p.tensor];
    t.count = p.end - p.begin;
    t.shape = {static_cast<uint32_t>(t.count)};
    out.push_back(std::move(t));
  }
  return out;
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
  const std::vector<ChunkPlan> plan =
      plan_chunks(layout, options.chunk_weights, /*split_tensors=*/source.format != SourceFormat::lc0);

  ContainerHeader header;
  header.pipeline = resolved_json(options.pipeline);
  header.tolerance = options.tolerance;
  header.source_format = source.format;
  header.source_name = std::filesystem::path(source.name).filename().string();
  header.chunk_weights = options.chunk_weights;
  header.lc0_skeleton = source.lc0_skeleton;
  for (const auto& t : layout.tensors) header.tensors.push_back({t, {SourceEncoding::Kind::float32, 0, 0}});
  header.chunks.resize(plan.size());
  if (options.base) {
    header.base_sha256 = options.base->sha256;
    if (!Pipeline(options.pipeline, {.tolerance = options.tolerance}).codes_against_base())
      throw_config("pipeline '" + options.pipeline.name + "' cannot code against a base: its first stage is not a quantizer");
  }

  const std::vector<int64_t> base_match = options.base ? base_counterparts(layout, options.base->net) : std::vector<int64_t>{};
  std::vector<Bytes> payloads(plan.size());
  // Per piece checked: the largest error as the user will load the file, and where.
  struct PieceCheck {
    double max_error = 0;
    size_t tensor = 0, index = 0;
    std::string warning;
  };
  std::vector<std::vector<PieceCheck>> checks(plan.size());
  std::mutex progress_mutex;
  size_t done = 0;
  parallel_for(plan.size(), options.threads, [&](size_t c) {
    const std::vector<TensorPiece> pieces = pieces_of(layout, plan[c].first, plan[c].count);
    const std::vector<TensorLayout> piece_layout = piece_layouts(layout, pieces);
    Pipeline::Values values;
    for (const auto& p : pieces) values.emplace_back(net.tensors[p.tensor].values.data() + p.begin, p.end - p.begin);
    const Pipeline pipeline(options.pipeline, {.tolerance = options.tolerance, .max_decoded_bytes = decode_limit(plan[c].count)});
    // Against the base where that is smaller: the decoded values are the same either way. When
    // the quantizer coded some tensor from the base, its estimate said the base pays there, and
    // the chunk is kept against the base without coding it alone too (half the work); when it
    // coded every tensor alone, both are coded and the smaller kept, so an unrelated base costs
    // its digest and no more.
    std::optional<Pipeline::Bases> bases;
    if (options.base) bases = bases_for(*options.base, base_match, layout, pieces);
    size_t used_base = 0;
    if (bases) {
      payloads[c] = pipeline.encode_values(values, &*bases, &used_base);
      header.chunks[c].mode = ChunkMode::against_base;
    }
    if (used_base == 0) {
      Bytes alone = pipeline.encode_values(values);
      if (!bases || alone.size() <= payloads[c].size()) {
        payloads[c] = std::move(alone);
        header.chunks[c].mode = ChunkMode::alone;
      }
    }
    // Decode what was written, as a client will, and check it as the client will load it.
    const bool against_base = header.chunks[c].mode == ChunkMode::against_base;
    std::vector<F32> decoded = pipeline.decode_tensors(payloads[c], piece_layout, against_base ? &*bases : nullptr);
    for (size_t k = 0; k < pieces.size(); ++k) {
      const TensorPiece& p = pieces[k];
      PieceCheck check{.tensor = p.tensor};
      if (p.whole(layout)) {  // whole tensors (every Lc0 layer) get their output encoding here
        OutputChoice o = choose_output(net.tensors[p.tensor], decoded[k], source.format, options.tolerance);
        header.tensors[p.tensor].output = o.output;
        check.max_error = o.max_error;
        check.index = o.worst;
        check.warning = o.warning;
      } else {  // a piece of a raw float32 tensor: written as decoded
        check.max_error = max_abs_error(values[k], decoded[k], &check.index);
        check.index += p.begin;
      }
      checks[c].push_back(check);
    }
    header.chunks[c].weight_count = plan[c].count;
    header.chunks[c].values_xxh64 = xxh64_of_values(decoded);
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      ++done;
      options.progress("compressed chunk " + std::to_string(done) + "/" + std::to_string(plan.size()));
    }
  });

  CompressResult result;
  bool nan = false;
  for (const auto& chunk_checks : checks)
    for (const auto& check : chunk_checks) {
      if (!check.warning.empty() && options.progress) options.progress("warning: " + check.warning);
      if (nan) continue;
      if (std::isnan(check.max_error) || check.max_error > result.as_loaded.max_abs_error) {
        nan = std::isnan(check.max_error);
        result.as_loaded.max_abs_error = check.max_error;
        result.as_loaded.worst_tensor = net.tensors[check.tensor].name;
        result.as_loaded.worst_index = check.index;
      }
    }
  if (!(result.as_loaded.max_abs_error <= options.tolerance))
    throw Error(ErrorKind::verify, "compressed net breaks the tolerance: tensor " + result.as_loaded.worst_tensor +
                                       ", weight " + std::to_string(result.as_loaded.worst_index) + " is off by " +
                                       std::to_string(result.as_loaded.max_abs_error / options.tolerance) + " x the tolerance");
  for (const auto& p : payloads) result.payload_bytes += p.size();
  for (const auto& c : header.chunks) result.chunks_against_base += c.mode == ChunkMode::against_base;
  result.file = write_container(std::move(header), std::move(payloads));
  // The header must read back as written (payload checksums, offsets, the stored pipeline).
  const ContainerHeader check = read_container_header(result.file, "compressed output", {.max_weights = kMaxWeightsCeiling});
  (void)stored_pipeline(check, "compressed output");
  return result;
}

DecompressResult decompress(std::span<const uint8_t> file, const std::string& source, const BaseNet* base,
                            unsigned threads, const ProgressFn& progress, const ContainerReadOptions& read) {
  DecompressResult result;
  result.header = read_container_header(file, source, read);
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
  // Whole tensors are moved in as decoded; pieces of a split tensor are kept until all are
  // decoded, then joined: memory follows what the payloads really hold, not what the header claims.
  std::vector<F32> values(h.tensors.size());
  std::vector<std::vector<std::pair<uint64_t, F32>>> pieces_decoded(h.tensors.size());
  std::mutex progress_mutex, pieces_mutex;
  size_t done = 0;
  parallel_for(h.chunks.size(), threads, [&](size_t c) {
    const ContainerChunk& chunk = h.chunks[c];
    const std::vector<TensorPiece> pieces = pieces_of(layout, chunk.first_weight, chunk.weight_count);
    const Pipeline pipeline(spec, {.tolerance = h.tolerance, .max_decoded_bytes = decode_limit(chunk.weight_count)});
    std::optional<Pipeline::Bases> bases;
    if (chunk.mode == ChunkMode::against_base) {
      bases = bases_for(*base, base_match, layout, pieces);
      if (!bases)
        throw_input(source + ": chunk " + std::to_string(c) + " was coded against base tensors that the base given lacks");
    }
    std::vector<F32> decoded =
        pipeline.decode_tensors(chunk_payload(file, h, c, source, read.verify_checksums), piece_layouts(layout, pieces),
                                bases ? &*bases : nullptr);
    if (read.verify_checksums && xxh64_of_values(decoded) != chunk.values_xxh64)
      throw Error(ErrorKind::codec, source + ": chunk " + std::to_string(c) + " (from tensor " +
                                        h.tensors[pieces.front().tensor].layout.name + ") decodes to other values than were " +
                                        "compressed (XXH64 differs)");
    for (size_t k = 0; k < pieces.size(); ++k) {
      const TensorPiece& p = pieces[k];
      if (p.whole(layout)) {
        values[p.tensor] = std::move(decoded[k]);
      } else {
        std::lock_guard lock(pieces_mutex);
        pieces_decoded[p.tensor].emplace_back(p.begin, std::move(decoded[k]));
      }
    }
    if (progress) {
      std::lock_guard lock(progress_mutex);
      ++done;
      progress("decompressed chunk " + std::to_string(done) + "/" + std::to_string(h.chunks.size()));
    }
  });
  for (size_t i = 0; i < values.size(); ++i) {
    auto& parts = pieces_decoded[i];
    if (parts.empty()) continue;
    std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    values[i].reserve(layout.tensors[i].count);
    for (auto& [begin, part] : parts) {
      values[i].insert(values[i].end(), part.begin(), part.end());
      F32().swap(part);
    }
  }
  result.net = assemble_net(layout, std::move(values));
  result.net.source = source;
  return result;
}

void write_output_file(DecompressResult d, const ByteSink& sink) {
  auto as_bytes = [](const F32& v) { return std::span(reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)); };
  switch (d.header.source_format) {
    case SourceFormat::f32:
      for (auto& t : d.net.tensors) {
        sink(as_bytes(t.values));
        F32().swap(t.values);
      }
      return;
    case SourceFormat::npy: {
      Net header_only = d.net;  // the .npy header, then the data without a second copy
      for (auto& t : header_only.tensors) t.values.clear();
      const Bytes header = npy_file_bytes(header_only);
      sink(header);
      sink(as_bytes(d.net.tensors.at(0).values));
      return;
    }
    case SourceFormat::lc0: {
      std::vector<SourceEncoding> encodings;
      for (const auto& t : d.header.tensors) encodings.push_back(t.output);
      std::string serialized;
      {
        const pblczero::Net net = rebuild_lc0_net(d.header.lc0_skeleton, d.net.tensors, encodings, d.net.source);
        std::vector<Tensor>().swap(d.net.tensors);  // the layers hold the weights now
        if (!net.SerializePartialToString(&serialized)) throw Error(ErrorKind::codec, "cannot serialize the Lc0 net");
      }
      // gzip as Lc0 ships nets; at level 1: the file is for loading, and level 6 would take
      // ten times as long as decoding the weights did.
      const Bytes gz =
          gzip_compress(std::span(reinterpret_cast<const uint8_t*>(serialized.data()), serialized.size()), 1);
      sink(gz);
      return;
    }
  }
  throw Error(ErrorKind::codec, "unknown source format");
}

Bytes output_file_bytes(const DecompressResult& d) {
  Bytes out;
  write_output_file(d, [&](std::span<const uint8_t> b) { out.insert(out.end(), b.begin(), b.end()); });
  return out;
}

Net as_loaded(const DecompressResult& d) {
  Net net = d.net;
  for (size_t i = 0; i < net.tensors.size(); ++i) net.tensors[i].values = loaded_values(net.tensors[i].values, d.header.tensors[i].output);
  return net;
}

}  // namespace lcz
