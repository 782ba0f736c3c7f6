#!/usr/bin/python3
"""Writes a small ONNX model shaped like the shared Lc0 ONNX nets, made with the `onnx` package
(Debian's python3-onnx), not with this project's code: the lczip round-trip tests read it.

  tests/cli/make_onnx_net.py OUT.onnx[.gz] [--seed N]

Measured on maia-2200.onnx.gz (leela2onnx, batch norm folded into the convolutions): a conv
kernel [out, in, 3, 3] has one scale per output channel (their standard deviations spread
from about 0.02 to 0.5 in one layer), biases spread wider (standard deviation 1 to 2), and
int64 initializers give Reshape its shape. The model here has the same: two 3x3 convolutions
with biases (one stored in float_data instead of raw_data), a Reshape by an int64
initializer, a dense layer whose weights are FLOAT16 and its bias BFLOAT16 (each Cast to
float32 in the graph, as mixed-precision exports do), metadata and a doc string.
"""
import argparse
import gzip

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def kernel(rng, out_ch, in_ch):
    scale = np.exp(rng.uniform(np.log(0.02), np.log(0.5), size=(out_ch, 1, 1, 1)))  # one per output channel
    return (rng.standard_normal((out_ch, in_ch, 3, 3)) * scale).astype(np.float32)


def bfloat16_tensor(name, values):
    bits = (values.astype(np.float32).view(np.uint32) + 0x7FFF + ((values.astype(np.float32).view(np.uint32) >> 16) & 1)) >> 16
    t = TensorProto(name=name, data_type=TensorProto.BFLOAT16, dims=list(values.shape))
    t.raw_data = bits.astype("<u2").tobytes()
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    c_in, c = 8, 16
    inits = [
        numpy_helper.from_array(kernel(rng, c, c_in), "/conv1/w/kernel"),
        numpy_helper.from_array((rng.standard_normal(c) * 1.5).astype(np.float32), "/conv1/w/bias"),
        numpy_helper.from_array(kernel(rng, c, c), "/conv2/w/kernel"),
        numpy_helper.from_array(np.array([-1, c * 64], dtype=np.int64), "/const/flat_shape"),
        numpy_helper.from_array((rng.standard_normal((c * 64, 4)) * 0.01).astype(np.float16), "/dense/matmul/w"),
        bfloat16_tensor("/dense/add/w", rng.standard_normal(4) * 0.5),
    ]
    bias2 = (rng.standard_normal(c) * 1.5).astype(np.float32)
    inits.insert(3, helper.make_tensor("/conv2/w/bias", TensorProto.FLOAT, [c], bias2.tolist()))  # float_data, not raw
    nodes = [
        helper.make_node("Conv", ["/input/planes", "/conv1/w/kernel", "/conv1/w/bias"], ["/conv1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["/conv1"], ["/conv1/relu"]),
        helper.make_node("Conv", ["/conv1/relu", "/conv2/w/kernel", "/conv2/w/bias"], ["/conv2"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["/conv2"], ["/conv2/relu"]),
        helper.make_node("Reshape", ["/conv2/relu", "/const/flat_shape"], ["/flat"]),
        helper.make_node("Cast", ["/dense/matmul/w"], ["/dense/matmul/w32"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["/dense/add/w"], ["/dense/add/w32"], to=TensorProto.FLOAT),
        helper.make_node("MatMul", ["/flat", "/dense/matmul/w32"], ["/dense/matmul"]),
        helper.make_node("Add", ["/dense/matmul", "/dense/add/w32"], ["/output/value"]),
    ]
    graph = helper.make_graph(
        nodes, "made/for-tests",
        [helper.make_tensor_value_info("/input/planes", TensorProto.FLOAT, ["batch", c_in, 8, 8])],
        [helper.make_tensor_value_info("/output/value", TensorProto.FLOAT, ["batch", 4])],
        initializer=inits, doc_string="a net made by tests/cli/make_onnx_net.py")
    model = helper.make_model(graph, producer_name="lcz-tests", producer_version="1",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    helper.set_model_props(model, {"made_by": "make_onnx_net.py", "seed": str(a.seed)})
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString()
    if a.out.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with open(a.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
