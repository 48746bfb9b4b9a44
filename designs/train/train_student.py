"""Trains the StudentModel for 4x (or 2x) super-resolution and exports it to ONNX.

The model (what users of this project train and export):
    upsample: Conv2d(3, 3*s*s, 3, padding=1) -> PixelShuffle(s)
    conv1: Conv2d(3, 64, 3, padding=1); conv2..conv4: Conv2d(64, 64, 3, padding=1);
    conv5: Conv2d(64, 3, 3, padding=1); ReLU at the end only.

Training data are public-domain / CC0 photos bundled with scikit-image (licence notes in
each function's docstring there): astronaut, rocket, hubble_deep_field and retina for
training; coffee and chelsea are held out for the reported PSNR. Low-resolution inputs
are made as the camera makes them: an s x s box average, quantised to RGB565 (8-bit value
>> 3 for red and blue, >> 2 for green) and expanded back by bit replication.

Because nothing between the convolutions is non-linear, the five high-resolution
convolutions collapse into one 11x11 3->3 kernel plus a bias, computed each step from the layers' own weights by pushing impulses through them.
Training on interior crops through that kernel is exact there and costs about 1% of the
layered model. The start is the upsampling conv as the per-phase least-squares 3x3
filter and the high-resolution convs as the identity on three channels.

Usage (CPU is enough, a few minutes):
    python designs/train/train_student.py --scale 4 --steps 3000 --out designs/models
It writes student_x{s}.onnx (opset 12, weights inline, the classic exporter) and, with
--dynamo, student_x{s}_dynamo.onnx with its weights in student_x{s}_dynamo.onnx.data
(the current default exporter, opset 18).
"""

import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from skimage import data as skdata

TRAIN = ["astronaut", "rocket", "hubble_deep_field", "retina"]
TEST = ["coffee", "chelsea"]
HR_RADIUS = 5  # five 3x3 convolutions at high resolution


class StudentModel(nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.upsample = nn.Sequential(nn.Conv2d(3, 3 * scale * scale, 3, padding=1), nn.PixelShuffle(scale))
        self.conv1 = nn.Conv2d(3, 64, 3, padding=1)
        self.conv2 = nn.Conv2d(64, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 64, 3, padding=1)
        self.conv4 = nn.Conv2d(64, 64, 3, padding=1)
        self.conv5 = nn.Conv2d(64, 3, 3, padding=1)
        self.relu = nn.ReLU()

    def hr_convs(self):
        return [self.conv1, self.conv2, self.conv3, self.conv4, self.conv5]

    def forward(self, x):
        x = self.upsample(x)
        for conv in self.hr_convs():
            x = conv(x)
        return self.relu(x)


def camera_lr(hr, s):
    """HR uint8 (H, W, 3) -> the camera's LR picture in [0, 1], (3, H/s, W/s)."""
    h, w = hr.shape[0] // s * s, hr.shape[1] // s * s
    x = hr[:h, :w].astype(np.float64).reshape(h // s, s, w // s, s, 3).mean(axis=(1, 3))
    x = np.clip(np.round(x), 0, 255).astype(np.uint16)
    r, g, b = x[..., 0] >> 3, x[..., 1] >> 2, x[..., 2] >> 3
    x = np.stack([(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)], axis=-1)
    return torch.tensor(x.transpose(2, 0, 1) / 255.0, dtype=torch.float32), hr[:h, :w]


def hr_tensor(hr):
    return torch.tensor(hr.transpose(2, 0, 1) / 255.0, dtype=torch.float32)


def photos(names, s):
    out = []
    for n in names:
        img = getattr(skdata, n)()
        lr, hr = camera_lr(img, s)
        out.append((lr, hr_tensor(hr)))
    return out


def collapsed(model):
    """The HR convolutions as one 11x11 kernel (for F.conv2d) and a bias."""
    size = 4 * HR_RADIUS + 1
    c = size // 2
    impulse = torch.zeros(3, 3, size, size)
    for i in range(3):
        impulse[i, i, c, c] = 1.0
    x = impulse
    for conv in model.hr_convs():
        x = F.conv2d(x, conv.weight, None, padding=1)
    # Response of output o to an impulse on input i at offset d is K[o, i, c - d].
    r = HR_RADIUS
    kernel = x[:, :, c - r : c + r + 1, c - r : c + r + 1].flip(2, 3).permute(1, 0, 2, 3)
    z = torch.zeros(1, 3, size, size)
    for conv in model.hr_convs():
        z = conv(z)
    return kernel, z[0, :, c, c]


def interior_forward(model, lr, s):
    """Exact where the HR layers see no border: the collapsed kernel on the upsampled map."""
    kernel, bias = collapsed(model)
    u = model.upsample(lr)
    return F.conv2d(u, kernel, bias)  # valid: loses HR_RADIUS at each edge


def least_squares_upsample(model, train, s):
    """The upsampling conv as the per-phase least-squares 3x3 filter."""
    conv = model.upsample[0]
    with torch.no_grad():
        for ph in range(s * s):
            i, j = divmod(ph, s)
            rows, targets = [], []
            for lr, hr in train:
                p = F.unfold(lr[None], 3, padding=1)[0].T  # (H*W, 27)
                t = hr[:, i::s, j::s].reshape(3, -1).T
                rows.append(p)
                targets.append(t)
            a = torch.cat(rows).double()
            a = torch.cat([a, torch.ones(a.shape[0], 1, dtype=a.dtype)], 1)
            sol = torch.linalg.lstsq(a, torch.cat(targets).double()).solution  # (28, 3)
            for c in range(3):
                conv.weight[c * s * s + ph] = sol[:27, c].reshape(3, 3, 3).float()
                conv.bias[c * s * s + ph] = sol[27, c].float()
        for k, conv2 in enumerate(model.hr_convs()):
            conv2.weight.zero_()
            conv2.bias.zero_()
            for c in range(3):
                conv2.weight[c, c, 1, 1] = 1.0


def psnr(a, b):
    mse = torch.mean((a - b) ** 2).item()
    return 10 * math.log10(1.0 / mse)


def crop(x, m):
    return x[..., m:-m, m:-m]


def evaluate(model, tests, s):
    """PSNR of bicubic and of the model (8-pixel border excluded), over the test photos."""
    out = {"bicubic": [], "model": []}
    with torch.no_grad():
        for lr, hr in tests:
            q = lambda x: torch.round(x.clamp(0, 1) * 255) / 255
            bic = F.interpolate(lr[None], scale_factor=s, mode="bicubic", align_corners=False)[0]
            out["bicubic"].append(psnr(crop(q(bic), 8), crop(hr, 8)))
            out["model"].append(psnr(crop(q(model(lr[None])[0]), 8), crop(hr, 8)))
    return {k: float(np.mean(v)) for k, v in out.items()}


def least_squares_bound(train, tests, s):
    """The best affine filter over the model's receptive field per output phase."""
    reach = 1 + math.ceil(HR_RADIUS / s)  # LR rows each side that can matter
    k = 2 * reach + 1
    fits = {}
    for ph in range(s * s):
        i, j = divmod(ph, s)
        a, t = [], []
        for lr, hr in train:
            p = F.unfold(lr[None], k, padding=reach)[0].T.double()
            a.append(torch.cat([p, torch.ones(p.shape[0], 1, dtype=p.dtype)], 1))
            t.append(hr[:, i::s, j::s].reshape(3, -1).T.double())
        fits[ph] = torch.linalg.lstsq(torch.cat(a), torch.cat(t)).solution
    scores = []
    for lr, hr in tests:
        out = torch.zeros_like(hr, dtype=torch.float64)
        p = F.unfold(lr[None], k, padding=reach)[0].T.double()
        p = torch.cat([p, torch.ones(p.shape[0], 1, dtype=p.dtype)], 1)
        for ph in range(s * s):
            i, j = divmod(ph, s)
            v = (p @ fits[ph]).T.reshape(3, lr.shape[1], lr.shape[2])
            out[:, i::s, j::s] = v
        out = torch.round(out.clamp(0, 1) * 255) / 255
        scores.append(psnr(crop(out.float(), 8), crop(hr, 8)))
    return float(np.mean(scores))


def train(scale, steps, seed):
    torch.manual_seed(seed)
    model = StudentModel(scale)
    tr = photos(TRAIN, scale)
    te = photos(TEST, scale)
    least_squares_upsample(model, tr, scale)
    print("start:", evaluate(model, te, scale), flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    patch = 24  # LR
    margin = HR_RADIUS + scale  # HR pixels lost at each edge of a patch
    rng = np.random.default_rng(seed)
    for step in range(steps):
        lrs, hrs = [], []
        for _ in range(16):
            lr, hr = tr[rng.integers(len(tr))]
            y = rng.integers(0, lr.shape[1] - patch)
            x = rng.integers(0, lr.shape[2] - patch)
            lrs.append(lr[:, y : y + patch, x : x + patch])
            hrs.append(hr[:, y * scale : (y + patch) * scale, x * scale : (x + patch) * scale])
        lr, hr = torch.stack(lrs), torch.stack(hrs)
        out = F.relu(interior_forward(model, lr, scale))  # HR, minus HR_RADIUS each edge
        m = margin - HR_RADIUS
        loss = F.mse_loss(crop(out, m), crop(hr, margin))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 500 == 0 or step == steps - 1:
            print(f"step {step} loss {loss.item():.6f}", flush=True)
    scores = evaluate(model, te, scale)
    scores["least_squares_bound"] = least_squares_bound(tr, te, scale)
    return model, scores


def export(model, scale, out, dynamo):
    model.eval()
    dummy = torch.rand(1, 3, 120, 160)
    path = os.path.join(out, f"student_x{scale}.onnx")
    torch.onnx.export(
        model,
        (dummy,),
        path,
        opset_version=12,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        dynamo=False,
    )
    print("wrote", path)
    if dynamo:
        path = os.path.join(out, f"student_x{scale}_dynamo.onnx")
        batch = torch.export.Dim("batch", min=1, max=64)
        torch.onnx.export(
            model,
            (dummy,),
            path,
            input_names=["input"],
            output_names=["output"],
            dynamic_shapes=({0: batch},),
            external_data=True,
            dynamo=True,
        )
        print("wrote", path)


def write_default_images(out):
    """The default test picture: a 640x480 crop of hubble_deep_field and its 160x120
    camera-sized 4x4 box average (8-bit, before the camera's RGB565 step)."""
    from PIL import Image

    hr = skdata.hubble_deep_field()[200:680, 180:820]
    lr = np.clip(np.round(hr.astype(np.float64).reshape(120, 4, 160, 4, 3).mean(axis=(1, 3))), 0, 255)
    Image.fromarray(hr).save(os.path.join(out, "hubble_640x480.png"))
    Image.fromarray(lr.astype(np.uint8)).save(os.path.join(out, "hubble_160x120.png"))
    print("wrote the default pictures into", out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=int, default=4)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="designs/models")
    p.add_argument("--dynamo", action="store_true", help="also export with the dynamo exporter (opset 18, external data)")
    p.add_argument("--images", help="only write the default test pictures into this folder")
    a = p.parse_args()
    if a.images:
        write_default_images(a.images)
        return
    torch.set_num_threads(2)
    os.makedirs(a.out, exist_ok=True)
    model, scores = train(a.scale, a.steps, a.seed)
    print(
        f"held-out PSNR (dB, 8-pixel border excluded): bicubic {scores['bicubic']:.3f}, "
        f"model {scores['model']:.3f}, least-squares bound {scores['least_squares_bound']:.3f}",
        flush=True,
    )
    export(model, a.scale, a.out, a.dynamo)


if __name__ == "__main__":
    main()
