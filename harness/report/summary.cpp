#include "harness/report/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "harness/shard.h"
#include "pipeline/spec.h"

namespace lcz {

namespace {

bool is_codec_row(const ResultRow& r) { return r.pass && r.pipeline != kMemcpyRow; }

bool dominates(const ResultRow& a, const ResultRow& b) {
  return a.ratio >= b.ratio && a.decode_mb_s >= b.decode_mb_s && (a.ratio > b.ratio || a.decode_mb_s > b.decode_mb_s);
}

std::string fixed(const char* format, double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string percent(double fraction) { return fixed("%.1f", 100 * fraction) + " %"; }

void table_header(std::ostream& out) {
  out << "| | pipeline | ratio | bits/weight | bytes | encode MB/s | decode MB/s | max err / tol |\n"
      << "|---|---|--:|--:|--:|--:|--:|--:|\n";
}

void table_row(std::ostream& out, const std::string& label, const ResultRow& r) {
  out << "| " << label << " | " << r.pipeline << " | " << fixed("%.3f", r.ratio) << " | "
      << fixed("%.3f", r.bits_per_weight) << " | " << thousands(r.compressed_bytes) << " | "
      << fixed("%.1f", r.encode_mb_s) << " | " << fixed("%.1f", r.decode_mb_s) << " | "
      << fixed("%.4f", r.max_error_over_tol) << " |\n";
}

}  // namespace

std::string thousands(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::vector<size_t> pareto_front(const std::vector<ResultRow>& rows) {
  std::vector<size_t> front;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!is_codec_row(rows[i])) continue;
    bool dominated = false;
    for (size_t j = 0; j < rows.size() && !dominated; ++j)
      dominated = j != i && is_codec_row(rows[j]) && dominates(rows[j], rows[i]);
    if (!dominated) front.push_back(i);
  }
  std::stable_sort(front.begin(), front.end(), [&](size_t a, size_t b) {
    return rows[a].decode_mb_s != rows[b].decode_mb_s ? rows[a].decode_mb_s > rows[b].decode_mb_s
                                                      : rows[a].ratio > rows[b].ratio;
  });
  return front;
}

std::vector<DatasetSummary> summarize(const std::vector<ResultRow>& rows, const std::string& seed_name) {
  std::vector<DatasetSummary> out;
  for (const auto& r : rows)
    if (std::none_of(out.begin(), out.end(), [&](const DatasetSummary& s) { return s.dataset == r.dataset; }))
      out.push_back({.dataset = r.dataset});
  for (auto& s : out) {
    std::vector<size_t> mine;  // indices into rows
    std::vector<ResultRow> subset;
    for (size_t i = 0; i < rows.size(); ++i)
      if (rows[i].dataset == s.dataset) {
        mine.push_back(i);
        subset.push_back(rows[i]);
      }
    for (size_t k : pareto_front(subset)) s.pareto.push_back(mine[k]);
    auto better = [&](long current, size_t i, auto key) { return current < 0 || key(rows[i]) > key(rows[current]); };
    for (size_t i : mine) {
      const ResultRow& r = rows[i];
      s.bound_bytes = r.bound_bytes;
      s.original_bytes = r.original_bytes;
      if (r.pipeline == kMemcpyRow) {
        s.memcpy_row = static_cast<long>(i);
        continue;
      }
      if (r.pipeline == seed_name) s.seed = static_cast<long>(i);
      if (!r.pass) {
        s.failed.push_back(i);
        continue;
      }
      if (better(s.best_ratio, i, [](const ResultRow& x) { return x.ratio; })) s.best_ratio = static_cast<long>(i);
      if (better(s.fastest_decode, i, [](const ResultRow& x) { return x.decode_mb_s; })) s.fastest_decode = static_cast<long>(i);
    }
    if (s.best_ratio < 0) continue;
    const bool seed_ok = s.seed >= 0 && rows[s.seed].pass;
    const double floor = seed_ok ? rows[s.seed].ratio : 0.95 * rows[s.best_ratio].ratio;
    for (size_t i : s.pareto)  // fastest first: the first that is small enough
      if (rows[i].ratio >= floor) {
        s.ship_for_speed = static_cast<long>(i);
        break;
      }
  }
  return out;
}

std::string plot_file_name(const std::string& dataset) {
  std::string name;
  for (char c : dataset) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  return name + ".png";
}

void write_summary_markdown(const std::vector<ResultRow>& rows, const nlohmann::json& provenance, std::ostream& out,
                            const std::string& seed_name) {
  out << "# Report\n\n";
  if (provenance.is_object()) {
    auto text = [&](const char* key) {
      return provenance.contains(key) ? (provenance[key].is_string() ? provenance[key].get<std::string>() : provenance[key].dump())
                                      : std::string("unknown");
    };
    out << "Commit `" << text("git_sha") << "`" << (provenance.value("git_dirty", false) ? " (with uncommitted changes)" : "")
        << ", " << text("date_utc") << ", " << text("cpu") << ", " << text("compiler") << ".  \n";
    if (provenance.contains("tolerance") && provenance["tolerance"].is_number()) {
      const double tol = provenance["tolerance"].get<double>();
      out << "Tolerance " << tolerance_text(tol);
    }
    out << "; every speed is the median of at least " << text("repeat") << " timed runs and " << text("min_seconds")
        << " s, one thread";
    if (provenance.contains("merged_from") && provenance["merged_from"].is_array())
      out << "; merged from " << provenance["merged_from"].size() << " shards";
    out << ".\n\n";
  }
  out << "Ratio = float32 bytes / compressed bytes; MB/s of float32 bytes (10^6 per second); max err / tol is the "
         "largest |decoded - original| over the tolerance (pass: at most 1). The **Pareto set** holds the rows that no "
         "other row beats on both ratio and decode speed.\n";

  const auto summaries = summarize(rows, seed_name);
  for (const auto& s : summaries) {
    out << "\n## " << s.dataset << "\n\n";
    out << "![ratio against decode MB/s](" << plot_file_name(s.dataset) << ")\n\n";
    table_header(out);
    if (s.best_ratio >= 0) table_row(out, "best ratio", rows[s.best_ratio]);
    if (s.fastest_decode >= 0) table_row(out, "fastest decode", rows[s.fastest_decode]);
    if (s.seed >= 0 && rows[s.seed].pass) table_row(out, "seed", rows[s.seed]);
    for (size_t i : s.pareto) table_row(out, "Pareto", rows[i]);
    if (s.memcpy_row >= 0) table_row(out, "memcpy (ceiling)", rows[s.memcpy_row]);
    if (s.bound_bytes > 0)
      out << "\nOrder-0 bound of the rounded weights: " << thousands(static_cast<uint64_t>(std::llround(s.bound_bytes)))
          << " bytes (ratio " << fixed("%.3f", s.original_bytes / s.bound_bytes) << "), a reference, not a limit.\n";
    if (!s.failed.empty()) {
      out << "\nFailed rows:\n";
      for (size_t i : s.failed) out << "- " << rows[i].pipeline << ": " << rows[i].error << "\n";
    }

    out << "\n**Recommendation.** ";
    if (s.best_ratio < 0) {
      out << "No row passed: nothing to recommend.\n";
      continue;
    }
    const ResultRow& best = rows[s.best_ratio];
    const bool seed_ok = s.seed >= 0 && rows[s.seed].pass;
    out << "For the smallest files ship `" << best.pipeline << "`: ratio " << fixed("%.3f", best.ratio) << " ("
        << fixed("%.2f", best.bits_per_weight) << " bits per weight), decoding at " << fixed("%.1f", best.decode_mb_s)
        << " MB/s and encoding at " << fixed("%.1f", best.encode_mb_s) << " MB/s. ";
    if (s.ship_for_speed >= 0 && s.ship_for_speed == s.seed) {
      out << "For speed nothing beats the seed's own pipeline at its size: it is the fastest decoder whose output is "
             "no larger than its own. ";
    } else if (s.ship_for_speed >= 0 && s.ship_for_speed != s.best_ratio) {
      const ResultRow& fast = rows[s.ship_for_speed];
      out << "For speed ship `" << fast.pipeline << "`: it decodes at " << fixed("%.1f", fast.decode_mb_s)
          << " MB/s (encodes at " << fixed("%.1f", fast.encode_mb_s) << ") and is " << percent(static_cast<double>(fast.compressed_bytes) / best.compressed_bytes - 1)
          << " larger than the smallest; it is the fastest decoder whose output is "
          << (seed_ok ? "no larger than the seed's" : "within 5 % of the smallest") << ". ";
    } else if (s.ship_for_speed == s.best_ratio) {
      out << "It is also the fastest decoder " << (seed_ok ? "that beats the seed's size" : "within 5 % of the smallest")
          << ": one row serves both. ";
    }
    if (seed_ok) {
      const ResultRow& seed = rows[s.seed];
      out << "The seed (ratio " << fixed("%.3f", seed.ratio) << ", " << fixed("%.1f", seed.decode_mb_s)
          << " MB/s decode) would save " << percent(1 - static_cast<double>(best.compressed_bytes) / seed.compressed_bytes)
          << " of its bytes with `" << best.pipeline << "`";
      if (s.ship_for_speed >= 0 && s.ship_for_speed != s.best_ratio && s.ship_for_speed != s.seed) {
        const ResultRow& fast = rows[s.ship_for_speed];
        out << ", or " << percent(1 - static_cast<double>(fast.compressed_bytes) / seed.compressed_bytes) << " with `"
            << fast.pipeline << "` while decoding " << fixed("%.1f", fast.decode_mb_s / seed.decode_mb_s) << "x faster";
      } else {
        out << " (decoding " << fixed("%.1f", best.decode_mb_s / seed.decode_mb_s) << "x as fast)";
      }
      out << ".";
    } else if (s.seed >= 0) {
      out << "The seed's row failed: " << rows[s.seed].error << ".";
    } else {
      out << "There is no `" << seed_name << "` row to compare with.";
    }
    if (s.memcpy_row >= 0)
      out << " memcpy copies at " << fixed("%.0f", rows[s.memcpy_row].decode_mb_s) << " MB/s on this machine: no decoder beats that.";
    out << "\n";
  }
}

}  // namespace lcz
