"""Writes the small ONNX files the model compiler's tests read (designs/sr-compiler/tests/fixtures/):
graphs it must refuse with a clear message, and graphs written the other ways a
super-resolution network reaches ONNX, which it must import and fold exactly. Run once;
the files are committed.

    python designs/train/make_fixtures.py designs/sr-compiler/tests/fixtures
"""

import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper


def conv(name, x, y, cin, cout, rng, kernel=3, bias=True):
    """A Conv node with small random weights around a box filter, so that outputs stay
    picture-like."""
    w = rng.standard_normal((cout, cin, kernel, kernel)) * 0.05 + 1.0 / (cin * kernel * kernel)
    inits = [numpy_helper.from_array(w.astype(np.float32), name + ".w")]
    if bias:
        inits.append(numpy_helper.from_array((rng.standard_normal(cout) * 0.05).astype(np.float32), name + ".b"))
    pad = kernel // 2
    node = helper.make_node(
        "Conv", [x] + [t.name for t in inits], [y], name=name, kernel_shape=[kernel, kernel], pads=[pad] * 4
    )
    return node, inits


def model(nodes, inits, path, opset=12):
    graph = helper.make_graph(
        nodes,
        "fixture",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 16, 16])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", None, None, None])],
        inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(m)
    onnx.save(m, path)


class ShuffleX2(nn.Module):
    """PixelShuffle, a 5x5 convolution without bias and a clamp, as PyTorch writes them."""

    def __init__(self):
        super().__init__()
        self.up = nn.Conv2d(3, 12, 3, padding=1)
        self.shuffle = nn.PixelShuffle(2)
        self.smooth = nn.Conv2d(3, 3, 5, padding=2, bias=False)

    def forward(self, x):
        return torch.clamp(self.smooth(self.shuffle(self.up(x))), 0.0, 1.0)


def main(out):
    rng = np.random.default_rng(1)
    # Refused: a ReLU between two convolutions, so the chain does not fold.
    a, ia = conv("conv_a", "input", "a", 3, 8, rng)
    r = helper.make_node("Relu", ["a"], ["r"], name="middle_relu")
    b, ib = conv("conv_b", "r", "output", 8, 3, rng)
    model([a, r, b], ia + ib, f"{out}/relu_between_convs.onnx")
    # Refused: an operator the compiler does not know.
    a, ia = conv("conv_a", "input", "a", 3, 3, rng)
    s = helper.make_node("Sigmoid", ["a"], ["output"], name="squash")
    model([a, s], ia, f"{out}/sigmoid.onnx")
    # Refused: channels that do not match, 8 out and 4 in.
    a, ia = conv("conv_a", "input", "a", 3, 8, rng)
    b, ib = conv("conv_b", "a", "output", 4, 3, rng)
    model([a, b], ia + ib, f"{out}/channel_mismatch.onnx")

    # Accepted: depth-to-space in DCR order (as TensorFlow's converter writes it), an
    # Identity, a 5x5 convolution without bias, a ReLU.
    a, ia = conv("expand", "input", "a", 3, 12, rng)
    d = helper.make_node("DepthToSpace", ["a"], ["d"], name="to_space", blocksize=2, mode="DCR")
    i = helper.make_node("Identity", ["d"], ["i"], name="same")
    b, ib = conv("smooth", "i", "b", 3, 3, rng, kernel=5, bias=False)
    r = helper.make_node("Relu", ["b"], ["output"], name="relu")
    model([a, d, i, b, r], ia + ib, f"{out}/dcr_identity_x2.onnx", opset=13)
    # Accepted: PyTorch's classic exporter at opset 10 writes PixelShuffle as
    # Reshape-Transpose-Reshape for a fixed size, as Unsqueeze-Reshape-Transpose-Reshape-
    # Reshape-Squeeze for a dynamic one, and the clamp as Clip with attributes.
    torch.manual_seed(1)
    net = ShuffleX2().eval()
    with torch.no_grad():
        net.up.weight.mul_(0.3).add_(1.0 / 27)
        net.smooth.weight.mul_(0.3).add_(1.0 / 75)
    dynamic = {"input": {0: "batch", 2: "height", 3: "width"}, "output": {0: "batch", 2: "height2", 3: "width2"}}
    for name, axes in [("pixel_shuffle_opset10_x2", None), ("pixel_shuffle_opset10_dynamic_x2", dynamic)]:
        torch.onnx.export(
            net,
            (torch.rand(1, 3, 16, 16),),
            f"{out}/{name}.onnx",
            opset_version=10,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes=axes,
            dynamo=False,
        )
    print("wrote fixtures into", out)


if __name__ == "__main__":
    main(sys.argv[1])
