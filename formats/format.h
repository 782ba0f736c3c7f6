// A net file format behind one small interface: how to recognise it, read it into a Net (and
// a skeleton: whatever else the file holds, to write it back), how each decoded tensor will
// be written (and so what a client loads from it), and how to write the file again. The
// container and the harness call formats only through this file; each format lives in its
// own folder (formats/<name>/) and is listed once in formats/formats.cpp.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/core/error.h"
#include "codecs/core/stage.h"
#include "codecs/core/stream.h"
#include "nets/net.h"

namespace lcz {

// A format's id in the .lcz container (its "source format" byte): never reused.
enum class SourceFormat : uint8_t { f32 = 1, npy = 2, lc0 = 3, onnx = 4 };

// A net as read from its file, with what its format needs to write the file back.
struct SourceNet {
  Net net;
  SourceFormat format = SourceFormat::f32;
  std::string name;               // the file's name, for messages and the container
  std::string skeleton;           // the file without its weights (format-defined; may be empty)
};

// How a decoded tensor will be written, and the error of what a client then loads.
struct OutputChoice {
  SourceEncoding output;          // kind float32 for "as decoded"
  double max_error = 0;           // NaN when a loaded value is NaN
  size_t worst = 0;               // index of the largest error
  std::string warning;            // when the tensor leaves its source encoding
  std::string reader;             // the way of reading it that gives max_error, where a format has several
};

// The error of what a client loads from a written tensor against the original as the same
// client loads it from its own file, over every way the format's clients read a tensor (for
// Lc0 LINEAR16: each decoder lc0 uses, the worst named in `reader`).
struct LoadedError {
  double max_error = 0;           // infinite when a loaded value is NaN
  size_t worst = 0;
  std::string reader;
};

using ByteSink = std::function<void(std::span<const uint8_t>)>;

struct NetFileFormat {
  SourceFormat id;
  std::string name;               // "lc0": --format, a config's "format", Net::format
  std::string description;        // for --help
  // Lower-case name endings that pick this format ("", when none): ".pb.gz", ".npy".
  std::vector<std::string> extensions;
  // Whether bytes look like this format, for a name whose ending says nothing (may be empty:
  // a headerless format is chosen by name only).
  std::function<bool(std::span<const uint8_t>)> sniff;
  uint64_t max_file_bytes = 0;    // a larger file is refused unread
  // A chunk of the container never cuts a tensor of this format: its output policy and its
  // quantizer (grid) must see whole tensors. Otherwise chunks end anywhere.
  bool whole_tensors = false;
  bool has_skeleton = false;      // else a container of this format must hold none
  // bytes -> the net and its skeleton. Throws lcz::Error(input) naming `path`.
  std::function<SourceNet(std::span<const uint8_t> bytes, const std::filesystem::path& path)> read;
  // How decompress writes `decoded` (the original's tensor after coding) so that what a client
  // loads stays within `tolerance` of the original. `coded` is the lattice the quantizer coded
  // the tensor on, when it says one (Stage::coded_lattice). Throws lcz::Error(verify) when no
  // encoding of the format keeps the bound.
  std::function<OutputChoice(const Tensor& original, const F32& decoded, double tolerance,
                             const std::optional<CodedLattice>& coded)>
      choose_output;
  // The values a client loads from a tensor written in `output`.
  std::function<F32(const F32& decoded, const SourceEncoding& output)> loaded_values;
  // How clients read a stored tensor where there is more than one way ("" otherwise): what
  // compress checks the bound under and lczip info names; `readers_1_0` the same for files of
  // container version 1.0 where compress then checked less ("" if the same).
  std::string readers;
  std::string readers_1_0;
  // The error of `decoded` written in `output`, as loaded, against `original` as loaded from
  // its own file (original.source): what compress and lczip verify check.
  std::function<LoadedError(const Tensor& original, std::span<const float> decoded, const SourceEncoding& output)>
      loaded_error;
  // Why a container that stores `output` for a tensor of `layout` (its source encoding) whose
  // values decode to `decoded` contradicts itself, or "" if it does not: an output kind the
  // format never writes for that source kind, or values that the output encoding would not
  // give back within `tolerance` of themselves. With `decoded` empty, the kinds alone.
  // compress writes only files that pass; a reader refuses the others.
  std::function<std::string(const TensorLayout& layout, const SourceEncoding& output, std::span<const float> decoded,
                            double tolerance)>
      contradiction;
  // Writes the file: the skeleton, the decoded tensors and each one's chosen output encoding.
  // Consumes `net` (tensors may be released as written) and hands the bytes to `sink`.
  // `file_name` is the name the file is written under (for standard output, the source's
  // name): a format that travels both gzip-compressed and plain (ONNX) picks by it.
  std::function<void(const std::string& skeleton, Net net, std::span<const SourceEncoding> outputs,
                     const std::string& source, const std::string& file_name, const ByteSink& sink)>
      write;
};

// Every format (the list is formats/formats.cpp).
const std::vector<NetFileFormat>& net_file_formats();
// The format of a container id, or nullptr.
const NetFileFormat* find_format(SourceFormat id);
// The format of a name ("lc0"), or nullptr. "detect" is no format's name.
const NetFileFormat* find_format(std::string_view name);
// The format by its name, else lcz::Error(kind) listing the names.
const NetFileFormat& format_named(std::string_view name, ErrorKind kind);
// "detect, lc0, f32, npy": what --format and a config's "format" accept.
std::string format_names();
// ".pb.gz .pb .gz .npy ...": every name ending a format claims, for messages and --help.
std::string format_extensions();

// The format of a file: the one its name's ending picks, else the first whose sniff accepts
// the content. A headerless format (raw float32) is chosen by name only. Throws
// lcz::Error(input) when nothing matches.
const NetFileFormat& detect_format(std::span<const uint8_t> bytes, const std::filesystem::path& path);
// The format a name alone picks, or nullptr.
const NetFileFormat* format_by_extension(const std::filesystem::path& path);

// ---- Reading nets: `format` is a format's name, or "" / "detect" ----

// Reads a net file. The format given wins; detect goes by the name's ending and only for any
// other name by content; the reader then checks the content. Throws lcz::Error(input) naming
// the file and what is wrong.
SourceNet read_source_net(std::span<const uint8_t> bytes, const std::filesystem::path& path, std::string_view format = {});
Net read_net_bytes(std::span<const uint8_t> bytes, const std::filesystem::path& path, std::string_view format = {});
Net read_net(const std::filesystem::path& path, std::string_view format = {});
// read_net's first step: the bytes of a net file, unparsed, under the size limit of its format
// (refused unread); for callers that need the bytes too (SHA-256).
std::vector<uint8_t> read_net_file(const std::filesystem::path& path, std::string_view format = {});

// The values a client loads from each tensor of `net` written as `outputs` says.
Net loaded_net(const NetFileFormat& format, Net net, std::span<const SourceEncoding> outputs);

}  // namespace lcz
