#!/usr/bin/python3
"""Draws RUN_DIR/<dataset>.png for every dataset of RUN_DIR/report.csv: compression ratio
against decode speed (MB/s of float32, log axis), the Pareto front joined, the seed and the
strong:/fast: rows labelled, the order-0 bound (bound_bytes) as a horizontal reference line
and the memcpy row as the copy-speed ceiling. REPORT.md (harness report) embeds the pictures.

usage: scripts/plot.py RUN_DIR [--seed NAME]      (Debian: python3-matplotlib)
"""
import argparse
import csv
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

MEMCPY = "memcpy"


def plot_file_name(dataset):
    """The same rule as lcz::plot_file_name (harness/report/summary.cpp)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", dataset) + ".png"


def pareto_front(rows):
    """Rows no other row matches or beats on both ratio and decode speed, fastest first."""
    def dominates(a, b):
        return (a["ratio"] >= b["ratio"] and a["decode"] >= b["decode"]
                and (a["ratio"] > b["ratio"] or a["decode"] > b["decode"]))
    front = [r for r in rows if not any(dominates(o, r) for o in rows if o is not r)]
    return sorted(front, key=lambda r: (-r["decode"], -r["ratio"]))


def read_rows(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        for column in ("dataset", "pipeline", "ratio", "decode_mb_s", "pass", "bound_bytes", "original_bytes"):
            if column not in (reader.fieldnames or []):
                sys.exit(f"plot.py: {path}: no column {column}")
        rows = []
        for line, r in enumerate(reader, start=2):
            try:
                rows.append({"dataset": r["dataset"], "pipeline": r["pipeline"], "pass": r["pass"] == "true",
                             "ratio": float(r["ratio"]), "decode": float(r["decode_mb_s"]),
                             "bound": float(r["bound_bytes"]), "original": float(r["original_bytes"])})
            except ValueError as e:
                sys.exit(f"plot.py: {path}: record {line}: {e}")
        return rows


def draw(dataset, rows, seed_name, out_path):
    codecs = [r for r in rows if r["pass"] and r["pipeline"] != MEMCPY and r["decode"] > 0]
    memcpy = [r for r in rows if r["pipeline"] == MEMCPY]
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    ax.set_xscale("log")
    ax.scatter([r["decode"] for r in codecs], [r["ratio"] for r in codecs], s=18, color="0.55", zorder=2,
               label="pipelines")
    front = pareto_front(codecs)
    ax.plot([r["decode"] for r in front], [r["ratio"] for r in front], "-o", color="tab:blue", markersize=5, zorder=3,
            label="Pareto front")
    labelled = [r for r in codecs if r["pipeline"] == seed_name or r["pipeline"].startswith(("strong:", "fast:"))]
    for r in labelled:
        colour = "tab:red" if r["pipeline"] == seed_name else "tab:green"
        ax.scatter([r["decode"]], [r["ratio"]], s=50, color=colour, zorder=4)
        ax.annotate(r["pipeline"], (r["decode"], r["ratio"]), textcoords="offset points", xytext=(6, 6), fontsize=9,
                    color=colour)
    bounds = [r["bound"] for r in rows if r["bound"] > 0]
    if bounds:
        bound_ratio = rows[0]["original"] / bounds[0]
        ax.axhline(bound_ratio, linestyle="--", color="tab:purple", linewidth=1,
                   label=f"order-0 bound (ratio {bound_ratio:.3f})")
    if memcpy and memcpy[0]["decode"] > 0:
        ax.axvline(memcpy[0]["decode"], linestyle=":", color="0.3", linewidth=1,
                   label=f"memcpy {memcpy[0]['decode']:.0f} MB/s")
    ax.set_xlabel("decode speed, MB/s of float32 (log)")
    ax.set_ylabel("compression ratio (float32 bytes / compressed)")
    ax.set_title(dataset)
    ax.grid(True, which="both", linewidth=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out_path + ".tmp.png", metadata={"Software": None})
    plt.close(fig)
    os.replace(out_path + ".tmp.png", out_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--seed", default="seed", help="the pipeline labelled as the seed")
    args = parser.parse_args()
    rows = read_rows(os.path.join(args.run_dir, "report.csv"))
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    if not datasets:
        sys.exit(f"plot.py: {args.run_dir}/report.csv has no rows")
    for d in datasets:
        out = os.path.join(args.run_dir, plot_file_name(d))
        draw(d, [r for r in rows if r["dataset"] == d], args.seed, out)
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
