#include "container/lcz_codec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>

#include "codecs/core/error.h"
#include "codecs/core/max_error.h"
#include "container/chunk_plan.h"
#include "container/parallel.h"
#include "pipeline/pipeline.h"

namespace lcz {
namespace {

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

CompressResult compress(const SourceNet& source, const CompressOptions& options) {
  const Net& net = source.net;
  const NetFileFormat* format = find_format(source.format);
  if (!format) throw Error(ErrorKind::codec, "compress: unknown source format");
  const NetLayout layout = layout_of(net);
  const std::vector<ChunkPlan> plan = plan_chunks(layout, options.chunk_weights, /*split_tensors=*/!format->whole_tensors);

  ContainerHeader header;
  header.pipeline = resolved_json(options.pipeline);
  header.tolerance = options.tolerance;
  header.source_format = source.format;
  header.source_name = std::filesystem::path(source.name).filename().string();
  header.chunk_weights = options.chunk_weights;
  header.skeleton = source.skeleton;
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
    std::string reader;  // the way of loading under which max_error is reached, if several
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
      header.chunks[c].mode = ChunkMode::given_base;
    }
    if (used_base == 0) {
      Bytes alone = pipeline.encode_values(values);
      if (!bases || alone.size() <= payloads[c].size()) {
        payloads[c] = std::move(alone);
        header.chunks[c].mode = ChunkMode::alone;
      }
    }
    // Decode what was written, as a client will, and check it as the client will load it.
    const bool against_base = needs_base(header.chunks[c].mode);
    Pipeline::Lattices lattices;
    std::vector<F32> decoded =
        pipeline.decode_tensors(payloads[c], piece_layout, against_base ? &*bases : nullptr, &lattices);
    for (size_t k = 0; k < pieces.size(); ++k) {
      const TensorPiece& p = pieces[k];
      PieceCheck check{.tensor = p.tensor};
      if (p.whole(layout)) {  // whole tensors get their output encoding from the format here
        OutputChoice o = format->choose_output(net.tensors[p.tensor], decoded[k], options.tolerance, lattices[k]);
        header.tensors[p.tensor].output = o.output;
        check.max_error = o.max_error;
        check.index = o.worst;
        check.reader = o.reader;
        check.warning = o.warning;
        // What decompress would refuse is not written.
        const std::string contradiction =
            format->contradiction(layout.tensors[p.tensor], o.output, decoded[k], options.tolerance);
        if (!contradiction.empty())
          throw Error(ErrorKind::verify, "the output would contradict itself: " + contradiction);
      } else {  // a piece of a tensor (a format that cuts them): written as decoded
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

  // Split tensors (a format that cuts them) are written as decoded: their kinds must pass too.
  for (const auto& t : header.tensors) {
    const std::string contradiction = format->contradiction(t.layout, t.output, {}, options.tolerance);
    if (!contradiction.empty()) throw Error(ErrorKind::codec, "compress: " + contradiction);
  }
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
        result.as_loaded.worst_decoder = check.reader;
      }
    }
  if (!(result.as_loaded.max_abs_error <= options.tolerance))
    throw Error(ErrorKind::verify, "compressed net breaks the tolerance: tensor " + result.as_loaded.worst_tensor +
                                       ", weight " + std::to_string(result.as_loaded.worst_index) +
                                       (result.as_loaded.worst_decoder.empty() ? "" : " as lc0 (" + result.as_loaded.worst_decoder + ") decodes it") +
                                       " is off by " +
                                       std::to_string(result.as_loaded.max_abs_error / options.tolerance) + " x the tolerance");
  for (const auto& p : payloads) result.payload_bytes += p.size();
  for (const auto& c : header.chunks) result.chunks_against_base += needs_base(c.mode);
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
  const bool any_needs_base = std::any_of(h.chunks.begin(), h.chunks.end(), [](const ContainerChunk& c) {
    return lcz::needs_base(c.mode);
  });
  if (any_needs_base && !base)
    throw Error(ErrorKind::config, source + ": was coded against a base net; give it with --base FILE");
  if (base && !h.base_sha256)
    throw Error(ErrorKind::config, source + ": was not coded against a base; --base is not needed");
  if (h.base_sha256 && base && *h.base_sha256 != base->sha256)
    throw_input(source + ": the base given is not the net this file was coded against (SHA-256 differs)");
  const NetLayout layout = h.layout();
  const NetFileFormat* format = find_format(h.source_format);
  if (!format) throw_input(source + ": unknown source format");
  for (const auto& t : h.tensors) {  // before any decoding: the kinds alone can contradict
    const std::string contradiction = format->contradiction(t.layout, t.output, {}, h.tolerance);
    if (!contradiction.empty()) throw_input(source + ": the file contradicts itself: " + contradiction);
  }
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
    if (needs_base(chunk.mode)) {
      bases = bases_for(*base, base_match, layout, pieces);
      if (!bases)
        throw_input(source + ": chunk " + std::to_string(c) + " was coded against base tensors that the base given lacks");
    }
    std::vector<F32> decoded =
        pipeline.decode_tensors(chunk_payload(file, h, c, source, read.verify_checksums), piece_layouts(layout, pieces),
                                bases ? &*bases : nullptr, nullptr,
                                chunk.mode == ChunkMode::against_base ? Pipeline::BaseFraming::residual_1_0
                                                                      : Pipeline::BaseFraming::given);
    if (read.verify_checksums && xxh64_of_values(decoded) != chunk.values_xxh64)
      throw Error(ErrorKind::codec, source + ": chunk " + std::to_string(c) + " (from tensor " +
                                        h.tensors[pieces.front().tensor].layout.name + ") decodes to other values than were " +
                                        "compressed (XXH64 differs)");
    for (size_t k = 0; k < pieces.size(); ++k) {
      const TensorPiece& p = pieces[k];
      const std::string contradiction =
          format->contradiction(layout.tensors[p.tensor], h.tensors[p.tensor].output, decoded[k], h.tolerance);
      if (!contradiction.empty()) throw_input(source + ": the file contradicts itself: " + contradiction);
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

}  // namespace lcz
