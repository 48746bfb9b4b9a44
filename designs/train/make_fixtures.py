"""Writes the small ONNX files the model compiler's error tests read
(designs/tests/fixtures/): each is a valid ONNX graph the compiler must refuse, with a
clear message. Run once; the files are committed.

    python designs/train/make_fixtures.py designs/tests/fixtures
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv(name, x, y, cin, cout, rng):
    w = numpy_helper.from_array(rng.standard_normal((cout, cin, 3, 3)).astype(np.float32) * 0.1, name + ".w")
    b = numpy_helper.from_array(np.zeros(cout, np.float32), name + ".b")
    node = helper.make_node("Conv", [x, w.name, b.name], [y], name=name, kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    return node, [w, b]


def model(nodes, inits, out_ch, path):
    graph = helper.make_graph(
        nodes,
        "fixture",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 16, 16])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, None)],
        inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    onnx.save(m, path)


def main(out):
    rng = np.random.default_rng(1)
    # A ReLU between two convolutions: the chain does not fold.
    a, ia = conv("conv_a", "input", "a", 3, 8, rng)
    r = helper.make_node("Relu", ["a"], ["r"], name="middle_relu")
    b, ib = conv("conv_b", "r", "output", 8, 3, rng)
    model([a, r, b], ia + ib, 3, f"{out}/relu_between_convs.onnx")
    # An operator the compiler does not know.
    a, ia = conv("conv_a", "input", "a", 3, 3, rng)
    s = helper.make_node("Sigmoid", ["a"], ["output"], name="squash")
    model([a, s], ia, 3, f"{out}/sigmoid.onnx")
    # Channels that do not match: 8 out, 4 in.
    a, ia = conv("conv_a", "input", "a", 3, 8, rng)
    b, ib = conv("conv_b", "a", "output", 4, 3, rng)
    model([a, b], ia + ib, 3, f"{out}/channel_mismatch.onnx")
    print("wrote fixtures into", out)


if __name__ == "__main__":
    main(sys.argv[1])
