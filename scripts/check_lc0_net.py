#!/usr/bin/python3
"""Checks a decompressed Lc0 net against its original, independently of the project's C++.

  scripts/check_lc0_net.py ORIGINAL.pb.gz DECODED.pb.gz [--tolerance 2^-17]

Reads both files with Python's protobuf (messages generated from formats/lc0/lc0_net.proto, the
public field numbers) and numpy, and checks that
  - every layer of DECODED that holds weights and was LINEAR16 in ORIGINAL is LINEAR16
    (explicitly, or by the net-wide default), which is all a released lc0 (<= v0.32.1)
    loads; a FLOAT16 or BFLOAT16 layer stays so or becomes FLOAT32, a FLOAT32 one stays so;
  - under each of the five ways lc0 builds decode LINEAR16 (float32, t = u / 65535):
      v0.31  t * (max - min) + min           (releases, built without FMA)
      v0.31  fma(t, max - min, min)          (the same fused, as -march=native builds do)
      v0.33  min * (1 - t) + max * t         (the development branch)
      v0.33  fma(max, t, min * (1 - t))      (its two contractions)
      v0.33  fma(min, 1 - t, max * t)
    every weight is within the tolerance of the original (its own encoding decoded the same
    way), the error computed in double. The fused multiply-add is exact and independent of
    the C++ build (exact_fmaf: float64 arithmetic, with the C library's fmaf through ctypes
    where a second rounding to float32 could differ);
  - everything else (magic, license, min_version, format, training_params, dims, ...) is equal.
Prints one line per check and exits 0 when all pass, 1 otherwise. Needs Debian's
python3-protobuf and python3-numpy, and protoc.
"""
import argparse
import ctypes
import ctypes.util
import gzip
import importlib
import math
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


LIBM_FMAF = None


def libm_fmaf(x, y, z):
    """fmaf from the C library, one element at a time through ctypes."""
    global LIBM_FMAF
    if LIBM_FMAF is None:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        libm.fmaf.restype = ctypes.c_float
        libm.fmaf.argtypes = [ctypes.c_float, ctypes.c_float, ctypes.c_float]
        LIBM_FMAF = libm.fmaf
    return np.array([LIBM_FMAF(float(a), float(b), float(c)) for a, b, c in zip(x, y, z)], dtype=np.float32)


def exact_fmaf(x, y, z):
    """x * y + z for float32 arrays, rounded once to float32 (what an FMA instruction gives).

    The product of two float32 values is exact in float64 (24 + 24 bits < 53 bits), so
    p + z in float64 is x * y + z rounded once to float64: exactly what math.fma (Python 3.13+)
    returns for these operands, and no better. Rounding that to float32 is a second rounding,
    which differs from one rounding only where the float64 sum lands exactly halfway between
    two float32 values (a float64 not halfway lies on the same side of every float32 midpoint
    as the exact sum); those elements, and float32-subnormal results, are recomputed with the
    C library's fmaf."""
    x, y, z = np.broadcast_arrays(np.asarray(x, np.float32), np.asarray(y, np.float32), np.asarray(z, np.float32))
    wide = x.astype(np.float64) * y.astype(np.float64) + z.astype(np.float64)
    if hasattr(math, "fma") and wide.size:  # the same float64 rounding, where Python has it
        assert math.fma(float(x.flat[0]), float(y.flat[0]), float(z.flat[0])) == wide.flat[0]
    narrow = wide.astype(np.float32)
    # A float64 halfway between two normal float32 values: its low 29 mantissa bits are 1
    # followed by 28 zeros.
    halfway = (wide.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    redo = halfway | (np.abs(wide) < 2.0 ** -126)
    if redo.any():
        narrow[redo] = libm_fmaf(x[redo], y[redo], z[redo])
    return narrow


DECODERS = ["v0.31 t*(max-min)+min", "v0.31 fma(t,max-min,min)", "v0.33 min*(1-t)+max*t",
            "v0.33 fma(max,t,min*(1-t))", "v0.33 fma(min,1-t,max*t)"]


def linear16(u, lo, hi, decoder):
    """LINEAR16 indices u as the given decoder reads them, each step rounded to float32."""
    f32 = np.float32
    t = np.divide(u.astype(f32), f32(65535.0), dtype=f32)
    if decoder == 0:
        return np.add(np.multiply(t, np.subtract(hi, lo, dtype=f32), dtype=f32), lo, dtype=f32)
    if decoder == 1:
        return exact_fmaf(t, np.subtract(hi, lo, dtype=f32), lo)
    one_minus_t = np.subtract(f32(1.0), t, dtype=f32)
    if decoder == 2:
        return np.add(np.multiply(lo, one_minus_t, dtype=f32), np.multiply(hi, t, dtype=f32), dtype=f32)
    if decoder == 3:
        return exact_fmaf(hi, t, np.multiply(lo, one_minus_t, dtype=f32))
    return exact_fmaf(lo, one_minus_t, np.multiply(hi, t, dtype=f32))


def decode(layer, net, decoder=0):
    enc = encoding_of(layer, net)
    raw = layer.params
    if enc == LINEAR16:
        u = np.frombuffer(raw, dtype="<u2")
        return linear16(u, np.float32(layer.min_val), np.float32(layer.max_val), decoder)
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
    allowed = {LINEAR16: {LINEAR16}, FLOAT16: {FLOAT16, FLOAT32}, BFLOAT16: {BFLOAT16, FLOAT32}, FLOAT32: {FLOAT32}}
    linear16 = [k for k, v in a.items() if encoding_of(v, original) == LINEAR16]
    kept = [k for k in linear16 if encoding_of(b[k], decoded) == LINEAR16]
    print("%s: %d of %d LINEAR16 layers LINEAR16" % ("ok" if len(kept) == len(linear16) else "FAIL", len(kept), len(linear16)))
    ok &= len(kept) == len(linear16)
    wrong = [k for k in a if encoding_of(b[k], decoded) not in allowed[encoding_of(a[k], original)]]
    print("%s: %d of %d layers in an encoding their source allows" % ("ok" if not wrong else "FAIL", len(a) - len(wrong), len(a)))
    ok &= not wrong

    for decoder, decoder_name in enumerate(DECODERS):
        worst, worst_name, weights = 0.0, "", 0
        for name in a:
            x = decode(a[name], original, decoder).astype(np.float64)
            y = decode(b[name], decoded, decoder).astype(np.float64)
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
        print("%s: %d weights, max |error| as lc0 %s decodes = %.9g = %.6f x tolerance (%s)"
              % ("ok" if within else "FAIL", weights, decoder_name, worst, worst / args.tolerance, worst_name))
        ok &= within

    same = without_weights(pb2, original) == without_weights(pb2, decoded)
    print("%s: every non-weight field equal" % ("ok" if same else "FAIL"))
    ok &= same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
