#!/usr/bin/python3
"""Checks a decompressed ONNX model against its original, independently of the project's C++.

  scripts/check_onnx.py ORIGINAL.onnx[.gz] DECODED.onnx[.gz] [--tolerance 2^-17]

Reads both with the `onnx` Python package (Debian's python3-onnx, not this project's schema) and
numpy, and checks that
  - onnx.checker.check_model accepts DECODED (full check);
  - every float32 initializer of DECODED is within the tolerance of the original's, the error
    computed in double, NaN counted as a failure; float16/bfloat16 initializers likewise, in
    their own type;
  - the initializers have the same names, types and dims in the same order, and every other
    initializer is equal as parsed;
  - everything else (graph nodes, inputs, outputs, value_info, opsets, metadata, ir_version,
    producer, functions, ...) is equal as parsed: the models compare equal once the float
    initializers' data is cleared in both.
Files ending in .gz are gunzipped first. Prints one line per check and exits 0 when all pass,
1 otherwise (2 when a file cannot be read).
"""
import argparse
import gzip
import sys

import numpy as np
import onnx
from onnx import numpy_helper

FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.BFLOAT16}


def tolerance(text):
    if text.startswith("2^"):
        return 2.0 ** float(text[2:])
    return float(text)


def load(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        return onnx.load_model_from_string(data)
    except Exception as e:  # any reason a file does not load is reported the same way
        print(f"FAIL cannot read {path}: {e}")
        sys.exit(2)


def values(t):
    """The initializer's values in double (bfloat16 widened by its bits: numpy has no bfloat16)."""
    if t.data_type == onnx.TensorProto.BFLOAT16:
        bits = np.frombuffer(t.raw_data, dtype="<u2") if t.HasField("raw_data") else np.array(t.int32_data, dtype=np.uint32)
        return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64).reshape(tuple(t.dims))
    return numpy_helper.to_array(t).astype(np.float64)


def without_float_data(model):
    m = onnx.ModelProto()
    m.CopyFrom(model)
    for t in m.graph.initializer:
        if t.data_type in FLOAT_TYPES:
            t.ClearField("raw_data")
            t.ClearField("float_data")
            t.ClearField("int32_data")
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("original")
    ap.add_argument("decoded")
    ap.add_argument("--tolerance", type=tolerance, default=2.0 ** -17)
    a = ap.parse_args()
    original, decoded = load(a.original), load(a.decoded)
    failures = 0

    def check(ok, text):
        nonlocal failures
        print(("ok   " if ok else "FAIL ") + text)
        failures += not ok

    try:
        onnx.checker.check_model(decoded, full_check=True)
        check(True, "onnx.checker.check_model accepts the decoded model")
    except Exception as e:
        check(False, f"onnx.checker.check_model refuses the decoded model: {e}")

    a_init, b_init = original.graph.initializer, decoded.graph.initializer
    same_list = [(t.name, t.data_type, list(t.dims)) for t in a_init] == [(t.name, t.data_type, list(t.dims)) for t in b_init]
    check(same_list, f"same initializers (name, type, dims) in the same order: {len(a_init)} vs {len(b_init)}")
    if same_list:
        worst, where, floats, weights = 0.0, "", 0, 0
        for x, y in zip(a_init, b_init):
            if x.data_type not in FLOAT_TYPES:
                if x != y:
                    check(False, f"initializer {x.name} (data_type {x.data_type}) differs")
                continue
            floats += 1
            vx, vy = values(x), values(y)
            weights += vx.size
            if vx.size == 0:
                continue
            err = np.abs(vy - vx)
            e = np.inf if np.isnan(err).any() else float(err.max())
            if e > worst or np.isnan(e):
                worst, where = e, x.name
        check(worst <= a.tolerance,
              f"{floats} float initializers, {weights} weights: max error {worst:.6g} = {worst / a.tolerance:.6g} x the "
              f"tolerance {a.tolerance:.6g}" + (f" (at {where})" if where else ""))
        check(all(x == y for x, y in zip(a_init, b_init) if x.data_type not in FLOAT_TYPES),
              f"{sum(x.data_type not in FLOAT_TYPES for x in a_init)} other initializers equal as parsed")

    sa, sb = without_float_data(original), without_float_data(decoded)
    for field in ("ir_version", "producer_name", "producer_version", "domain", "model_version", "doc_string",
                  "opset_import", "metadata_props", "training_info", "functions"):
        check(getattr(sa, field) == getattr(sb, field), f"model.{field} equal")
    for field in ("node", "name", "input", "output", "value_info", "doc_string", "sparse_initializer",
                  "quantization_annotation"):
        check(getattr(sa.graph, field) == getattr(sb.graph, field), f"graph.{field} equal")
    check(sa == sb, "the whole models equal as parsed, float initializer data aside")
    print("PASS" if failures == 0 else f"FAIL: {failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
