#!/usr/bin/python3
"""Checks a decompressed Lc0 net against its original, independently of the project's C++.

  scripts/check_lc0_net.py ORIGINAL.pb.gz DECODED.pb.gz [--tolerance 2^-17]

Reads both files with Python's protobuf (messages generated from formats/lc0/lc0_net.proto, the
public field numbers) and numpy, and checks that
  - every layer of DECODED that holds weights is LINEAR16 (explicitly, or by the net-wide
    default), which is all a released lc0 (<= v0.32.1) loads;
  - decoded as a released lc0 decodes LINEAR16 (float32, no fused multiply-add:
    u / 65535 * (max - min) + min), every weight is within the tolerance of the original
    (its own encoding decoded the same way), the error computed in double;
  - everything else (magic, license, min_version, format, training_params, dims, ...) is equal.
Prints one line per check and exits 0 when all pass, 1 otherwise. Needs Debian's
python3-protobuf and python3-numpy, and protoc.
"""
import argparse
import gzip
import importlib
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.join(HERE, "..", "formats", "lc0", "lc0_net.proto")

LINEAR16, FLOAT16, BFLOAT16, FLOAT32 = 1, 2, 3, 4


def load_module():
    out = tempfile.mkdtemp(prefix="lc0_pb2_")
    subprocess.run(["protoc", "--proto_path", os.path.dirname(PROTO), "--python_out", out, PROTO], check=True)
    sys.path.insert(0, out)
    return importlib.import_module("lc0_net_pb2")


def read(pb2, path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    net = pb2.Net()
    net.ParseFromString(data)
    return net


def layers(message, path=""):
    """(name, layer) for every Weights.Layer below message, in field-number order."""
    for field, value in sorted(message.ListFields(), key=lambda fv: fv[0].number):
        if field.type != field.TYPE_MESSAGE:
            continue
        name = field.name if not path else path + "." + field.name
        items = list(enumerate(value)) if field.label == field.LABEL_REPEATED else [(None, value)]
        for index, child in items:
            child_name = name if index is None else "%s.%d" % (name, index)
            if child.DESCRIPTOR.name == "Layer":
                yield child_name, child
            else:
                yield from layers(child, child_name)


def encoding_of(layer, net):
    if layer.HasField("encoding") and layer.encoding != 0:
        return layer.encoding
    return LINEAR16  # Net.format.weights_encoding: LINEAR16 is its only value


def decode(layer, net):
    enc = encoding_of(layer, net)
    raw = layer.params
    if enc == LINEAR16:
        u = np.frombuffer(raw, dtype="<u2").astype(np.float32)
        lo, hi = np.float32(layer.min_val), np.float32(layer.max_val)
        # Each step rounded to float32 on its own, as lc0's release decoder does.
        theta = np.divide(u, np.float32(65535.0), dtype=np.float32)
        return np.add(np.multiply(theta, np.subtract(hi, lo, dtype=np.float32), dtype=np.float32), lo, dtype=np.float32)
    if enc == FLOAT16:
        return np.frombuffer(raw, dtype="<f2").astype(np.float32)
    if enc == BFLOAT16:
        b = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return b.view(np.float32)
    if enc == FLOAT32:
        return np.frombuffer(raw, dtype="<f4")
    raise ValueError("unknown encoding %d" % enc)


def without_weights(pb2, net):
    copy = pb2.Net()
    copy.CopyFrom(net)
    for _, layer in layers(copy.weights, ""):
        layer.ClearField("params")
        layer.ClearField("min_val")
        layer.ClearField("max_val")
    return copy


def tolerance(text):
    text = text.strip()
    if text.startswith("2^"):
        return 2.0 ** int(text[2:])
    return float(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("original")
    ap.add_argument("decoded")
    ap.add_argument("--tolerance", default="2^-17", type=tolerance)
    args = ap.parse_args()
    pb2 = load_module()
    original, decoded = read(pb2, args.original), read(pb2, args.decoded)
    ok = True

    a = dict(layers(original.weights))
    b = dict(layers(decoded.weights))
    a = {k: v for k, v in a.items() if v.params}
    b = {k: v for k, v in b.items() if v.params}
    if sorted(a) != sorted(b):
        print("FAIL: the layers with weights differ: only in original %s, only in decoded %s"
              % (sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5]))
        return 1
    not_linear16 = [k for k, v in b.items() if encoding_of(v, decoded) != LINEAR16]
    print("%s: %d of %d layers LINEAR16" % ("ok" if not not_linear16 else "FAIL", len(b) - len(not_linear16), len(b)))
    ok &= not not_linear16

    worst, worst_name, weights = 0.0, "", 0
    for name in a:
        x = decode(a[name], original).astype(np.float64)
        y = decode(b[name], decoded).astype(np.float64)
        if x.shape != y.shape:
            print("FAIL: %s has %d weights, decoded %d" % (name, x.size, y.size))
            return 1
        weights += x.size
        err = np.abs(x - y)
        if np.isnan(err).any():
            worst, worst_name = float("nan"), name
            break
        if err.max(initial=0.0) > worst:
            worst, worst_name = float(err.max()), name
    within = worst <= args.tolerance
    print("%s: %d weights, max |error| as lc0 decodes = %.9g = %.6f x tolerance (%s)"
          % ("ok" if within else "FAIL", weights, worst, worst / args.tolerance, worst_name))
    ok &= within

    same = without_weights(pb2, original) == without_weights(pb2, decoded)
    print("%s: every non-weight field equal" % ("ok" if same else "FAIL"))
    ok &= same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
