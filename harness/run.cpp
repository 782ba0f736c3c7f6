#include "harness/run.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "codecs/core/error.h"
#include "formats/format.h"
#include "harness/report/provenance.h"
#include "nets/dead_filters.h"
#include "nets/repeats.h"
#include "nets/sha256.h"

namespace lcz {

Dataset load_dataset(const DatasetSpec& spec, DatasetInfo* info) {
  auto read = [&](const std::filesystem::path& file, const std::string& format) {
    const std::vector<uint8_t> bytes = read_net_file(file, format);
    if (info) {
      info->files.push_back(file.string());
      info->sha256.push_back(sha256_hex(bytes));
    }
    return read_net_bytes(bytes, file, format);
  };
  if (spec.is_delta()) {
    Net base = read(spec.base, "detect");
    return {read(spec.target, "detect"), std::move(base)};
  }
  Net net = read(spec.path, spec.format);
  if (spec.dead_filters) {
    try {
      return {dead_filter_net(net, *spec.dead_filters, spec.name), std::nullopt};
    } catch (const std::invalid_argument& e) {  // shares this net cannot hold: the config asked for them
      throw_config(spec.json_path + ": " + e.what());
    }
  }
  if (!spec.repeats) return {std::move(net), std::nullopt};
  return {repeat_net(net, *spec.repeats, spec.name), std::nullopt};
}

namespace {

// Each tensor's counterpart in the base; an input error names the first without one.
Pipeline::Bases bases_of(const Net& net, const Net& base) {
  const std::vector<int64_t> match = base_counterparts(layout_of(net), base);
  Pipeline::Bases bases;
  for (size_t i = 0; i < net.tensors.size(); ++i) {
    if (match[i] < 0)
      throw_input(net.source + ": tensor " + net.tensors[i].name + " has no counterpart of " +
                  std::to_string(net.tensors[i].values.size()) + " weights in the base " + base.source);
    bases.emplace_back(base.tensors[static_cast<size_t>(match[i])].values, net.tensors[i].shape);
  }
  return bases;
}

}  // namespace

double order0_bound_bytes(const Net& net, double tolerance) {
  const double inv_step = 1.0 / (2 * tolerance);
  double bits = 0;
  for (const auto& t : net.tensors) {
    std::unordered_map<int64_t, uint64_t> counts;
    for (float v : t.values) ++counts[static_cast<int64_t>(std::nearbyint(v * inv_step))];
    const double n = static_cast<double>(t.values.size());
    for (const auto& [value, c] : counts) bits -= c * std::log2(c / n);
  }
  return bits / 8;
}

namespace {

using Clock = std::chrono::steady_clock;

// A run count no timing asks for; it only stops a near-empty operation from spinning.
constexpr int kMaxRuns = 1000000;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Timed {
  double median = 0, min = 0;
  int runs = 0;
};

// lzbench's rule: repeat until both min_runs and min_seconds are reached. `prepare` runs
// outside the clock (it frees the previous output), `work` inside, `check` outside.
template <class Prepare, class Work, class Check>
Timed time_runs(const TimingRule& rule, Prepare prepare, Work work, Check check) {
  std::vector<double> seconds;
  double total = 0;
  while (static_cast<int>(seconds.size()) < rule.min_runs || (total < rule.min_seconds && seconds.size() < kMaxRuns)) {
    prepare();
    const auto t0 = Clock::now();
    work();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    check(seconds.size() + 1);
    seconds.push_back(s);
    total += s;
  }
  return {median(seconds), *std::min_element(seconds.begin(), seconds.end()), static_cast<int>(seconds.size())};
}

bool same_floats(const F32& a, const F32& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Compared in place: a 100 MB net is not copied to check a timed run.
bool same_values(const std::vector<F32>& a, const Net& b) {
  if (a.size() != b.tensors.size()) return false;
  for (size_t t = 0; t < a.size(); ++t)
    if (!same_floats(a[t], b.tensors[t].values)) return false;
  return true;
}

bool same_concatenation(const F32& all, const Net& b) {
  if (all.size() != b.weight_count()) return false;
  size_t at = 0;
  for (const auto& t : b.tensors) {
    if (std::memcmp(all.data() + at, t.values.data(), t.values.size() * sizeof(float)) != 0) return false;
    at += t.values.size();
  }
  return true;
}

void set_speeds(ResultRow& row, const Timed& enc, const Timed& dec) {
  row.repeats = enc.runs;
  row.decode_repeats = dec.runs;
  row.encode_seconds = enc.median;
  row.decode_seconds = dec.median;
  row.encode_seconds_min = enc.min;
  row.decode_seconds_min = dec.min;
  row.encode_mb_s = row.original_bytes / 1e6 / std::max(row.encode_seconds, 1e-9);
  row.decode_mb_s = row.original_bytes / 1e6 / std::max(row.decode_seconds, 1e-9);
}

ResultRow row_for(const Net& net, const std::string& dataset, const std::string& pipeline, const std::string& granularity,
                  double bound_bytes) {
  ResultRow row;
  row.dataset = dataset;
  row.pipeline = pipeline;
  row.granularity = granularity;
  row.tensors = net.tensors.size();
  row.weights = net.weight_count();
  row.original_bytes = row.weights * sizeof(float);
  row.bound_bytes = bound_bytes;
  return row;
}

[[noreturn]] void not_deterministic(const char* what, size_t run) {
  throw Error(ErrorKind::verify, std::string(what) + " is not deterministic: timed run " + std::to_string(run) +
                                     " differs from the verified one");
}

}  // namespace

ResultRow run_pipeline(const Pipeline& pipeline, const Net& net, const std::string& dataset, double tolerance,
                       const TimingRule& timing, double bound_bytes, const Net* base) {
  ResultRow row = row_for(net, dataset, pipeline.spec().name, granularity_name(pipeline.spec().granularity), bound_bytes);
  try {
    // Warm-up run, which is also the one verified (outside any timing).
    const std::optional<Pipeline::Bases> bases = base ? std::optional(bases_of(net, *base)) : std::nullopt;
    const Pipeline::Bases* with = bases ? &*bases : nullptr;
    const NetLayout layout = layout_of(net);
    const Bytes reference = pipeline.encode_tensors(net.tensors, with);
    const Net decoded = assemble_net(layout, pipeline.decode_tensors(reference, layout.tensors, with));
    row.compressed_bytes = reference.size();
    row.output_sha256 = sha256_hex(reference);
    row.ratio = static_cast<double>(row.original_bytes) / std::max<size_t>(reference.size(), 1);
    row.bits_per_weight = row.weights ? 8.0 * reference.size() / row.weights : 0;
    Verification v = verify(net, decoded);
    row.max_abs_error = v.max_abs_error;
    row.max_error_over_tol = v.max_abs_error / tolerance;
    if (!v.mismatch.empty()) throw Error(ErrorKind::verify, v.mismatch);
    if (!(v.max_abs_error <= tolerance))
      throw Error(ErrorKind::verify, std::isnan(v.max_abs_error) ? "decoded weights contain NaN"
                                                                  : "max error exceeds the tolerance");

    // Timed: the stages (and per-tensor framing) only. Concatenating the tensors before
    // encoding, and splitting the decoded stream into a Net after, stay outside the clock
    // (coding against a base goes through encode_tensors, which concatenates the bases too).
    Bytes bytes;
    auto same_bytes = [&](size_t run) { if (bytes != reference) not_deterministic("encoding", run); };
    auto clear_bytes = [&] { bytes = Bytes(); };
    Timed enc, dec;
    if (pipeline.codes_one_stream() && !with) {
      F32 out;
      {
        const F32 all = concatenated(net);
        enc = time_runs(timing, clear_bytes, [&] { bytes = pipeline.encode(all); }, same_bytes);
      }
      dec = time_runs(timing, [&] { out = F32(); }, [&] { out = pipeline.decode(reference); },
                      [&](size_t run) { if (!same_concatenation(out, decoded)) not_deterministic("decoding", run); });
    } else {
      enc = time_runs(timing, clear_bytes, [&] { bytes = pipeline.encode_tensors(net.tensors, with); }, same_bytes);
      std::vector<F32> out;
      dec = time_runs(timing, [&] { out = {}; }, [&] { out = pipeline.decode_tensors(reference, layout.tensors, with); },
                      [&](size_t run) { if (!same_values(out, decoded)) not_deterministic("decoding", run); });
    }
    set_speeds(row, enc, dec);
    row.pass = true;
  } catch (const Error& e) {
    row.pass = false;
    row.failure = e.kind();
    row.error = std::string(e.kind() == ErrorKind::verify ? "verification failed: " : "codec error: ") + e.what();
  }
  return row;
}

ResultRow run_memcpy(const Net& net, const std::string& dataset, const TimingRule& timing, double bound_bytes) {
  ResultRow row = row_for(net, dataset, kMemcpyRow, "net", bound_bytes);
  // Two buffers, both written before timing (pages faulted): "encode" copies the weights
  // there, "decode" copies them back over the same values.
  F32 source = concatenated(net);
  F32 copy(source.size());
  const size_t n = source.size() * sizeof(float);
  auto nothing = [] {};
  Timed there = time_runs(timing, nothing, [&] { std::memcpy(copy.data(), source.data(), n); },
                          [&](size_t run) { if (!same_floats(copy, source)) not_deterministic("memcpy", run); });
  Timed home = time_runs(timing, nothing, [&] { std::memcpy(source.data(), copy.data(), n); },
                         [&](size_t run) { if (!same_concatenation(source, net)) not_deterministic("memcpy", run); });
  row.compressed_bytes = row.original_bytes;
  row.ratio = 1;
  row.bits_per_weight = row.weights ? 32 : 0;
  row.output_sha256 = sha256_hex({reinterpret_cast<const uint8_t*>(copy.data()), n});
  set_speeds(row, there, home);
  row.pass = true;
  return row;
}

Report run_config(const Config& config, const ProgressFn& progress, const Shard& shard) {
  for (const auto& p : config.pipelines)  // before any work, git's provenance included
    if (p.name == kMemcpyRow)
      throw_config(config.file.string() + ": pipeline name '" + p.name + "' is reserved for the copy-speed row");
  Report report;
  report.run_id = run_timestamp() + "-" + config.file.stem().string();
  if (!shard.whole()) report.run_id += "-shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count);
  report.provenance = provenance(config);
  report.provenance["shard"] = {{"index", shard.index}, {"count", shard.count}};
  const TimingRule timing{.min_runs = config.repeat, .min_seconds = config.min_seconds};
  StageContext context{.tolerance = config.tolerance};
  std::vector<Pipeline> pipelines;
  for (const auto& spec : config.pipelines) pipelines.emplace_back(spec, context);
  const std::vector<Job> jobs = shard_jobs(config.datasets.size(), pipelines.size(), shard);
  size_t done = 0;
  for (size_t j = 0; j < jobs.size();) {
    const DatasetSpec& ds = config.datasets[jobs[j].dataset];
    if (progress) progress("loading " + ds.name);
    DatasetInfo info{.name = ds.name};
    const Dataset dataset = load_dataset(ds, &info);
    const Net& net = dataset.net;
    if (dataset.base) (void)bases_of(net, *dataset.base);  // a base that does not fit is an input error
    info.format = net.format;
    info.tensors = net.tensors.size();
    info.weights = net.weight_count();
    info.bound_bytes = order0_bound_bytes(net, config.tolerance);
    report.datasets.push_back(info);
    for (const size_t d = jobs[j].dataset; j < jobs.size() && jobs[j].dataset == d; ++j) {
      const size_t column = jobs[j].column;
      const std::string name = column == 0 ? std::string(kMemcpyRow) : pipelines[column - 1].spec().name;
      if (progress)
        progress(std::string("[").append(std::to_string(++done)).append("/").append(std::to_string(jobs.size()))
                     .append("] ").append(ds.name).append(" x ").append(name));
      ResultRow row = column == 0 ? run_memcpy(net, ds.name, timing, info.bound_bytes)
                                  : run_pipeline(pipelines[column - 1], net, ds.name, config.tolerance, timing,
                                                 info.bound_bytes, dataset.base ? &*dataset.base : nullptr);
      if (progress) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "    ratio %.4f, encode %.1f MB/s, decode %.1f MB/s (medians of %d and %d runs), max err/tol %.4f, %s",
                      row.ratio, row.encode_mb_s, row.decode_mb_s, row.repeats, row.decode_repeats,
                      row.max_error_over_tol, row.pass ? "pass" : "FAIL");
        progress(buf + (row.pass ? std::string() : ": " + row.error));
      }
      report.rows.push_back(std::move(row));
    }
  }
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) report.peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
  return report;
}

}  // namespace lcz
