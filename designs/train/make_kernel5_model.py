"""Exports a 4x super-resolution model whose window differs from the StudentModel's, for
the engine's bit-exactness test: an upsampling 3x3 convolution at low resolution and a
pixel shuffle, then one 5x5 convolution at high resolution and the final ReLU. Its
weights are random around a box filter (so outputs stay picture-like), not trained: the
test is about the arithmetic, not the picture. Exported by the classic exporter at the
engine's input size, 160x120, with a dynamic batch.

    python designs/train/make_kernel5_model.py designs/models/kernel5_x4.onnx
"""

import sys

import torch
import torch.nn as nn


class Kernel5(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Conv2d(3, 48, 3, padding=1)
        self.shuffle = nn.PixelShuffle(4)
        self.smooth = nn.Conv2d(3, 3, 5, padding=2)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.smooth(self.shuffle(self.up(x))))


def main(path):
    torch.manual_seed(5)
    net = Kernel5().eval()
    with torch.no_grad():
        net.up.weight.mul_(0.2).add_(1.0 / 27)
        net.up.bias.mul_(0.1)
        net.smooth.weight.mul_(0.2).add_(1.0 / 75)
        net.smooth.bias.mul_(0.1)
    torch.onnx.export(
        net,
        (torch.rand(1, 3, 120, 160),),
        path,
        opset_version=12,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        dynamo=False,
    )
    print("wrote", path)


if __name__ == "__main__":
    main(sys.argv[1])
