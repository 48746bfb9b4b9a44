"""Trains the StudentModel for 4x (or 2x) super-resolution and exports it to ONNX.

The model (what users of this project train and export):
    upsample: Conv2d(3, 3*s*s, 3, padding=1) -> PixelShuffle(s)
    conv1: Conv2d(3, 64, 3, padding=1); conv2..conv4: Conv2d(64, 64, 3, padding=1);
    conv5: Conv2d(64, 3, 3, padding=1); ReLU at the end only.

Training data are public-domain / CC0 photos bundled with scikit-image (licence notes in
each function's docstring there): astronaut, rocket, retina, coffee and chelsea for
training; hubble_deep_field (the project's default test picture comes from it) and
immunohistochemistry are held out for the reported PSNR. Low-resolution inputs are made
as the camera makes them: an s x s box average, quantised to RGB565 (8-bit value >> 3 for
red and blue, >> 2 for green) and expanded back by bit replication.

How it trains. Nothing before the final ReLU is non-linear, so away from the picture's
edges every output pixel of phase (i, j) is one affine function of a small LR window:
the folded coefficients, which the model compiler computes too. They are a polynomial in
the model's real parameters, computed here each step by pushing LR impulses through the
upsampling conv and through the five HR convs collapsed into one 11x11 kernel. The
training loss, the mean squared error over every interior pixel of every training photo,
is then an exact quadratic form in those coefficients whose matrices (the per-phase
normal equations) are summed once from the photos. So each step costs a few milliseconds
whatever the data size, and full-batch L-BFGS converges where minibatch SGD wanders. The
same normal equations give the least-squares bound: the best affine filter over the
same windows. The start is the upsampling conv as the per-phase least-squares 3x3 filter
and the HR convs as the identity on three channels plus a little noise, already better
than bicubic.

Usage (CPU is enough, about four minutes for 4x):
    python designs/train/train_student.py --scale 4 --dynamo --out designs/models
It writes student_x{s}.onnx (the classic exporter: opset 12, weights inline) and, with
--dynamo, student_x{s}_dynamo.onnx with its weights in student_x{s}_dynamo.onnx.data (the
current default exporter, opset 18).
"""

import argparse
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from skimage import data as skdata

TRAIN = ["astronaut", "rocket", "retina", "coffee", "chelsea"]
TEST = ["hubble_deep_field", "immunohistochemistry"]
HR_RADIUS = 5  # five 3x3 convolutions at high resolution
BORDER = 8  # HR pixels excluded at each edge when measuring PSNR


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
    return torch.tensor(x.transpose(2, 0, 1) / 255.0), hr[:h, :w]


def photos(names, s):
    """(name, LR, HR) per photo, float64 tensors in [0, 1], CHW."""
    out = []
    for n in names:
        lr, hr = camera_lr(getattr(skdata, n)(), s)
        out.append((n, lr, torch.tensor(hr.transpose(2, 0, 1) / 255.0)))
    return out


class Windows:
    """The exact LR window each output phase reads: rows lo[i]..=hi[i] around the output's
    LR pixel for HR row phase i (columns likewise), held per phase as a mask over the
    columns of Windows.unfold."""

    def __init__(self, s):
        self.s = s
        self.lo = [math.floor((i - HR_RADIUS) / s) - 1 for i in range(s)]
        self.hi = [math.floor((i + HR_RADIUS) / s) + 1 for i in range(s)]
        self.reach = max(-min(self.lo), max(self.hi))
        k = 2 * self.reach + 1
        self.masks = []
        for ph in range(s * s):
            i, j = divmod(ph, s)
            m = torch.zeros(3, k, k, dtype=torch.bool)
            r = self.reach
            m[:, self.lo[i] + r : self.hi[i] + r + 1, self.lo[j] + r : self.hi[j] + r + 1] = True
            self.masks.append(torch.cat([m.reshape(-1), torch.tensor([True])]))  # and the 1

    def unfold(self, lr, padded):
        """Rows of [every value of the square window..., 1] for every LR pixel (zero-padded)
        or only those whose full window lies inside the picture; phase ph's rows are
        `unfold(...)[:, masks[ph]]`."""
        k = 2 * self.reach + 1
        p = F.unfold(lr[None], k, padding=self.reach if padded else 0)[0].T
        return torch.cat([p, torch.ones(p.shape[0], 1, dtype=p.dtype)], 1)


class NormalEquations:
    """Per output phase, A = sum p p^T, B = sum p t^T and C = sum t^2 over every interior
    pixel of the training photos: the squared error of any affine filter w is
    w A w^T - 2 w.B + C, exactly."""

    def __init__(self, train, win):
        s, r = win.s, win.reach
        self.a, self.b, self.c = [0] * (s * s), [0] * (s * s), [0] * (s * s)
        self.count = 0
        for _, lr, hr in train:
            every = win.unfold(lr, padded=False)
            h, w = lr.shape[1] - 2 * r, lr.shape[2] - 2 * r
            for ph in range(s * s):
                i, j = divmod(ph, s)
                p = every[:, win.masks[ph]]
                t = hr[:, r * s + i :: s, r * s + j :: s][:, :h, :w].reshape(3, -1).T
                self.a[ph] = self.a[ph] + p.T @ p
                self.b[ph] = self.b[ph] + p.T @ t
                self.c[ph] = self.c[ph] + (t * t).sum()
                self.count += t.numel()

    def mse(self, rows):
        """Mean squared error of per-phase filters `rows[ph]` (3, n), on [0, 1] values."""
        total = 0
        for w, a, b, c in zip(rows, self.a, self.b, self.c):
            total = total + torch.einsum("on,nm,om->", w, a, w) - 2 * (w * b.T).sum() + c
        return total / self.count

    def best(self):
        """The least-squares filters: the bound no affine model over these windows beats."""
        return [torch.linalg.solve(a, b).T for a, b in zip(self.a, self.b)]


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


def folded(model, win):
    """The model's interior folded filters per phase, (3, n) rows as Windows.unfold orders
    them, from LR impulses at the centre of a picture big enough that no layer sees an edge."""
    s = win.s
    kernel, bias = collapsed(model)
    c0 = win.reach + HR_RADIUS
    x = torch.zeros(4, 3, 2 * c0 + 1, 2 * c0 + 1)  # three impulses and a zero picture
    for ch in range(3):
        x[ch, ch, c0, c0] = 1.0
    out = F.conv2d(model.upsample(x), kernel, bias)  # HR row y is at index y - HR_RADIUS
    offset = out[3]
    response = out[:3] - offset
    rows = []
    for ph in range(s * s):
        i, j = divmod(ph, s)
        ys = [s * (c0 - m) + i - HR_RADIUS for m in range(win.lo[i], win.hi[i] + 1)]
        xs = [s * (c0 - m) + j - HR_RADIUS for m in range(win.lo[j], win.hi[j] + 1)]
        coeffs = response[:, :, ys, :][:, :, :, xs].permute(1, 0, 2, 3).reshape(3, -1)
        rows.append(torch.cat([coeffs, offset[:, s * c0 + i - HR_RADIUS, s * c0 + j - HR_RADIUS, None]], 1))
    return rows


def least_squares_upsample(model, train, s):
    """The upsampling conv as the per-phase least-squares 3x3 filter, the HR convs as the
    identity on three channels plus a hundredth of PyTorch's random initialisation (without
    it the other 61 channels would get no gradient and stay zero)."""
    conv = model.upsample[0]
    with torch.no_grad():
        a = torch.cat([F.unfold(lr[None], 3, padding=1)[0].T for _, lr, _ in train])
        a = torch.cat([a, torch.ones(a.shape[0], 1, dtype=a.dtype)], 1)
        for ph in range(s * s):
            i, j = divmod(ph, s)
            t = torch.cat([hr[:, i::s, j::s].reshape(3, -1).T for _, _, hr in train])
            sol = torch.linalg.lstsq(a, t).solution  # (28, 3)
            for c in range(3):
                conv.weight[c * s * s + ph] = sol[:27, c].reshape(3, 3, 3)
                conv.bias[c * s * s + ph] = sol[27, c]
        for hr_conv in model.hr_convs():
            hr_conv.weight.mul_(0.01)
            hr_conv.bias.zero_()
            for c in range(3):
                hr_conv.weight[c, c, 1, 1] += 1.0


def psnr(out, hr):
    """PSNR in dB of an output in [0, 1], first rounded to 8 bits, BORDER excluded."""
    out = torch.round(out.clamp(0, 1) * 255) / 255
    mse = torch.mean((out - hr)[..., BORDER:-BORDER, BORDER:-BORDER] ** 2).item()
    return 10 * math.log10(1.0 / mse)


def bound_output(fits, win, lr):
    """The least-squares filters run over a whole picture (zero-padded like the model)."""
    s = win.s
    out = torch.zeros(3, lr.shape[1] * s, lr.shape[2] * s)
    every = win.unfold(lr, padded=True)
    for ph in range(s * s):
        i, j = divmod(ph, s)
        out[:, i::s, j::s] = (every[:, win.masks[ph]] @ fits[ph].T).T.reshape(3, *lr.shape[1:])
    return out


def scores(model, fits, win, pictures):
    """Per photo: PSNR of bicubic, of the model and of the least-squares bound."""
    rows = []
    with torch.no_grad():
        for name, lr, hr in pictures:
            bic = F.interpolate(lr[None], scale_factor=win.s, mode="bicubic", align_corners=False)[0]
            rows.append((name, psnr(bic, hr), psnr(model(lr[None])[0], hr), psnr(bound_output(fits, win, lr), hr)))
    return rows


def train(scale, iterations, seed):
    torch.manual_seed(seed)
    torch.set_default_dtype(torch.float64)
    win = Windows(scale)
    tr, te = photos(TRAIN, scale), photos(TEST, scale)
    eq = NormalEquations(tr, win)
    fits = eq.best()
    bound = eq.mse(fits).item()
    model = StudentModel(scale)
    least_squares_upsample(model, tr, scale)
    opt = torch.optim.LBFGS(
        model.parameters(),
        max_iter=20,
        history_size=50,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-12,
        tolerance_change=1e-16,
    )

    def closure():
        opt.zero_grad()
        loss = eq.mse(folded(model, win))
        loss.backward()
        return loss

    start = time.time()
    for it in range(iterations + 1):
        if it % 10 == 0:
            mse = eq.mse(folded(model, win)).item()
            print(
                f"iteration {it:4}/{iterations}: training MSE {mse:.4e} (bound {bound:.4e}), "
                f"{time.time() - start:.0f} s",
                flush=True,
            )
        if it < iterations:
            opt.step(closure)
    torch.set_default_dtype(torch.float32)
    return model.float(), scores(model.float(), [f.float() for f in fits], win, [(n, lr.float(), hr.float()) for n, lr, hr in te])


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
            opset_version=18,
            input_names=["input"],
            output_names=["output"],
            dynamic_shapes=({0: batch},),
            external_data=True,
            dynamo=True,
        )
        print("wrote", path)


def write_default_images(out):
    """The default test picture: a 640x480 crop of hubble_deep_field and its 160x120
    camera-sized 4x4 box average (8-bit, before the camera's RGB565 step); and a small
    part of both (48x36 and 192x144) for the README's side-by-side comparison."""
    from PIL import Image

    hr = skdata.hubble_deep_field()[200:680, 180:820]
    lr = np.clip(np.round(hr.astype(np.float64).reshape(120, 4, 160, 4, 3).mean(axis=(1, 3))), 0, 255)
    lr = lr.astype(np.uint8)
    Image.fromarray(hr).save(os.path.join(out, "hubble_640x480.png"))
    Image.fromarray(lr).save(os.path.join(out, "hubble_160x120.png"))
    Image.fromarray(hr[56:200, 80:272]).save(os.path.join(out, "hubble_part_192x144.png"))
    Image.fromarray(lr[14:50, 20:68]).save(os.path.join(out, "hubble_part_48x36.png"))
    print("wrote the default pictures into", out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=int, default=4)
    p.add_argument("--iterations", type=int, default=100, help="L-BFGS iterations (each up to 20 evaluations)")
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
    model, rows = train(a.scale, a.iterations, a.seed)
    print(f"PSNR on photos not trained on (dB, {BORDER}-pixel border excluded):")
    print(f"  {'photo':22} {'bicubic':>8} {'model':>8} {'bound':>8}")
    for name, bic, mod, bnd in rows:
        print(f"  {name:22} {bic:8.3f} {mod:8.3f} {bnd:8.3f}")
    means = np.mean([r[1:] for r in rows], axis=0)
    print(f"  {'mean':22} {means[0]:8.3f} {means[1]:8.3f} {means[2]:8.3f}", flush=True)
    export(model, a.scale, a.out, a.dynamo)


if __name__ == "__main__":
    main()
