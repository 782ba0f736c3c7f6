#include "formats/lc0/lc0_format.h"

#include <algorithm>
#include <cmath>

#include "codecs/core/error.h"
#include "codecs/core/max_error.h"
#include "formats/lc0/lc0_file.h"
#include "formats/lc0/lc0_loaded.h"
#include "formats/lc0/skeleton.h"
#include "formats/output_policy.h"

namespace lcz {
namespace {

SourceNet read_lc0(std::span<const uint8_t> bytes, const std::filesystem::path& path) {
  const std::string name = path.string();
  const pblczero::Net message = parse_lc0_net(bytes, name);
  SourceNet s;
  s.name = name;
  s.format = SourceFormat::lc0;
  s.net.source = name;
  s.net.format = "lc0";
  s.net.tensors = lc0_tensors(message, name);
  if (s.net.tensors.empty()) throw_input(name + ": Lc0 net without any weight tensor");
  s.skeleton = lc0_skeleton(message);
  return s;
}

F32 loaded_lc0(const F32& decoded, const SourceEncoding& output) {
  if (output.kind == SourceEncoding::Kind::linear16) return as_lc0_decodes_linear16(decoded, output.min_val, output.max_val);
  return loaded_ieee(decoded, output);
}

// The first of `candidates` in which the decoded tensor, as each LINEAR16 decoder lc0 uses
// loads it, stays within the tolerance of the original loaded the same way
// (lc0_loaded_error), and which a reader accepts for these values (lc0_contradiction).
std::optional<OutputChoice> first_that_holds(const Tensor& original, const F32& decoded, double tolerance,
                                             const std::vector<SourceEncoding>& candidates, LoadedError* best) {
  const TensorLayout layout{original.name, original.shape, original.values.size(), original.source};
  *best = {.max_error = INFINITY};
  for (const auto& c : candidates) {
    const LoadedError e = lc0_loaded_error(original, decoded, c, tolerance);
    if (e.max_error <= tolerance && lc0_contradiction(layout, c, decoded, tolerance).empty())
      return OutputChoice{.output = c, .max_error = e.max_error, .worst = e.worst, .warning = "", .reader = e.reader};
    if (!(e.max_error >= best->max_error)) *best = e;
  }
  return std::nullopt;
}

// An Lc0 LINEAR16 layer stays LINEAR16 (released lc0 loads nothing else), on the first of
// these ranges that keeps the bound under every decoder: the source range, the range of the
// original values (where the grid stage finds a layer's grid, exactly or on a lattice), the
// range the quantizer coded it on (the grid stage's lattice, handed over: nothing fits it
// again), the range of the decoded values. FLOAT16/BFLOAT16 stay so where the bound holds,
// else become FLOAT32.
OutputChoice choose_lc0_output(const Tensor& original, const F32& decoded, double tolerance,
                               const std::optional<CodedLattice>& coded) {
  const auto kind = original.source.kind;
  if (kind == SourceEncoding::Kind::float32 || kind == SourceEncoding::Kind::none) return as_decoded(original, decoded);
  LoadedError best;
  if (kind == SourceEncoding::Kind::float16 || kind == SourceEncoding::Kind::bfloat16) {
    if (auto kept = first_that_holds(original, decoded, tolerance, {{kind, 0, 0}}, &best)) return *kept;
    OutputChoice choice = as_decoded(original, decoded);
    choice.warning = "tensor " + original.name + " is written as FLOAT32: in its source encoding the error would be " +
                     std::to_string(best.max_error / tolerance) + " x the tolerance (or more)";
    return choice;
  }
  // The source range first, alone: it is nearly always the one, and the ranges of the others
  // each cost a pass over the values.
  if (auto kept = first_that_holds(original, decoded, tolerance, {original.source}, &best)) return *kept;
  std::vector<SourceEncoding> candidates;
  if (!original.values.empty()) {
    const auto [lo, hi] = std::minmax_element(original.values.begin(), original.values.end());
    candidates.push_back({SourceEncoding::Kind::linear16, *lo, *hi});
  }
  if (coded) candidates.push_back({SourceEncoding::Kind::linear16, coded->min_val, coded->max_val});
  if (!decoded.empty()) {
    const auto [lo, hi] = std::minmax_element(decoded.begin(), decoded.end());
    candidates.push_back({SourceEncoding::Kind::linear16, *lo, *hi});
  }
  LoadedError others;
  if (auto chosen = first_that_holds(original, decoded, tolerance, candidates, &others)) return *chosen;
  if (!(others.max_error >= best.max_error)) best = others;
  throw Error(ErrorKind::verify, "tensor " + original.name + " cannot be written as LINEAR16 within the tolerance: " +
                                     "as lc0 (" + best.reader + ") decodes it, weight " + std::to_string(best.worst) +
                                     " is off by at least " + std::to_string(best.max_error / tolerance) +
                                     " x the tolerance (a pipeline that starts with grid keeps Lc0 layers on a LINEAR16 grid)");
}

// Always gzip, as Lc0 ships nets (its reader takes either).
void write_lc0(const std::string& skeleton, Net net, std::span<const SourceEncoding> outputs, const std::string& source,
               const std::string&, const ByteSink& sink) {
  std::string serialized;
  {
    const pblczero::Net message = rebuild_lc0_net(skeleton, net.tensors, outputs, source);
    std::vector<Tensor>().swap(net.tensors);  // the layers hold the weights now
    if (!message.SerializePartialToString(&serialized)) throw Error(ErrorKind::codec, "cannot serialize the Lc0 net");
  }
  // gzip as Lc0 ships nets; at level 1: the file is for loading, and level 6 would take
  // ten times as long as decoding the weights did.
  sink(gzip_compress(std::span(reinterpret_cast<const uint8_t*>(serialized.data()), serialized.size()), 1));
}

}  // namespace

NetFileFormat lc0_format() {
  return {.id = SourceFormat::lc0,
          .name = "lc0",
          .description = "Lc0 network (.pb.gz, .pb): protobuf pblczero.Net, gzip-compressed or plain",
          .extensions = {".pb.gz", ".pb", ".gz"},
          .sniff = [](std::span<const uint8_t> b) { return is_gzip(b) || starts_with_lc0_magic(b); },
          .max_file_bytes = kMaxLc0MessageBytes,  // protobuf parses at most 2 GiB: refused unread
          .whole_tensors = true,
          .has_skeleton = true,
          .read = read_lc0,
          .choose_output = choose_lc0_output,
          .loaded_values = loaded_lc0,
          .readers = std::string("every LINEAR16 decoder lc0 uses: ") + lc0_linear16_decoders_text(),
          .readers_1_0 = "the LINEAR16 release formula only (v0.31 t*(max-min)+min, no FMA)",
          .loaded_error = [](const Tensor& original, std::span<const float> decoded, const SourceEncoding& output) {
            return lc0_loaded_error(original, decoded, output);
          },
          .contradiction = lc0_contradiction,
          .write = write_lc0};
}

}  // namespace lcz
