#!/usr/bin/env python3
"""Two more approximations of issue 22's incremental occlusion, simulated on AlexNet conv5 (layer occlusion,
window 15, mean fill): the error each gives against the exact map and the share of the exact incremental
computation's multiply-adds it keeps.

- "truncate TAU": Krypton's projective-field threshold as its paper states it: at each layer the changed
  box is cut, about its centre, to at most ceil(TAU * the map's side) rows and columns.
- "values EPS": after each layer, positions whose change (largest over the channels) is at most EPS of the
  window's largest change there count as unchanged, and the next layer's box is the bounding box of the
  rest (a data-driven box; it needs each window's values before its next box is known).

The error is max |approx - exact| / max |exact| over the map, as `dnnvis bench --json` reports
`approxError`. Every layer is computed densely and masked to the box, so the numbers are those of the
approximation, not of its speed. Weights: the bench model (`dnnvis bench builtin:alexnet` writes
~/.cache/dnnvis/models/alexnet-v1.onnx). Usage:
  python3 docs/bench/occlusion_approx_error.py IMAGE.png|random STRIDE truncate:0.9,truncate:0.7 values:0.01
Needs torch, onnx, numpy and Pillow; not used by the build or the tests."""
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from PIL import Image

MODEL = os.path.expanduser("~/.cache/dnnvis/models/alexnet-v1.onnx")
CONVS = [(11, 4, 2, True), (5, 1, 2, True), (3, 1, 1, False), (3, 1, 1, False), (3, 1, 1, False)]  # k, s, p, pool
WEIGHTS = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load(MODEL).graph.initializer}


def layer(i, x):
    y = F.relu(F.conv2d(x, WEIGHTS[f"Conv_{i + 1}_W"], WEIGHTS[f"Conv_{i + 1}_B"], stride=CONVS[i][1],
                        padding=CONVS[i][2]))
    return F.max_pool2d(y, 3, 2) if CONVS[i][3] else y


def changed(i, lo, hi, size):
    """The output rows of layer i that read input rows lo..hi."""
    k, s, p, pool = CONVS[i]
    a, b = max(0, -(-(lo + p - k + 1) // s)), (hi + p) // s
    if pool:
        a, b = max(0, -(-(a - 2) // 2)), b // 2
    return a, min(b, size - 1)


def macs(i, rows, cols):
    w = WEIGHTS[f"Conv_{i + 1}_W"]
    return rows * cols * w.shape[0] * w.shape[1] * w.shape[2] * w.shape[3] * (4 if CONVS[i][3] else 1)


def truncated(r, limit):
    if r[1] - r[0] + 1 <= limit:
        return r
    start = int(math.floor((r[0] + r[1]) / 2 - (limit - 1) / 2))
    return start, start + limit - 1


def occlude(x, base, box, mode, value):
    """The watched map of the occluded image x under the approximation; its multiply-adds and the exact ones."""
    cur, kept, exact_work = x, 0, 0
    exact_box = box
    for i in range(5):
        full = layer(i, cur)
        n = full.shape[2]
        rows, cols = changed(i, box[0], box[1], n), changed(i, box[2], box[3], n)
        exact_box = changed(i, exact_box[0], exact_box[1], n) + changed(i, exact_box[2], exact_box[3], n)
        if mode == "truncate":
            limit = math.ceil(value * n)
            rows, cols = truncated(rows, limit), truncated(cols, limit)
        exact_work += macs(i, exact_box[1] - exact_box[0] + 1, exact_box[3] - exact_box[2] + 1)
        kept += macs(i, rows[1] - rows[0] + 1, cols[1] - cols[0] + 1)
        out = base[i + 1].clone()
        out[:, :, rows[0]:rows[1] + 1, cols[0]:cols[1] + 1] = full[:, :, rows[0]:rows[1] + 1, cols[0]:cols[1] + 1]
        box = (rows[0], rows[1], cols[0], cols[1])
        if mode == "values" and i < 4:
            change = (out - base[i + 1]).abs().amax(dim=1)[0]
            keep = change > value * change.max()
            out = torch.where(keep[None, None], out, base[i + 1])
            ys, xs = torch.nonzero(keep, as_tuple=True)
            box = (0, -1, 0, -1) if len(ys) == 0 else (ys.min().item(), ys.max().item(), xs.min().item(),
                                                        xs.max().item())
        cur = out
    return cur, kept, exact_work


def main():
    torch.set_num_threads(2)
    if sys.argv[1] == "random":
        x = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    else:
        pixels = np.asarray(Image.open(sys.argv[1]).convert("RGB").resize((224, 224)), dtype=np.float32) / 255
        x = torch.from_numpy(pixels).permute(2, 0, 1)[None].contiguous()
    stride = int(sys.argv[2])
    base = [x]
    for i in range(5):
        base.append(layer(i, base[-1]))
    norms = base[-1].norm(dim=(2, 3))[0]
    with torch.no_grad():
        for setting in sys.argv[3].split(","):
            mode, value = setting.split(":")
            exact, approx, kept, work = [], [], 0, 0
            for cy in range(0, 224, stride):
                for cx in range(0, 224, stride):
                    box = (max(0, cy - 7), min(223, cy + 7), max(0, cx - 7), min(223, cx + 7))
                    xo = x.clone()
                    xo[:, :, box[0]:box[1] + 1, box[2]:box[3] + 1] = x.mean()
                    full = xo
                    for i in range(5):
                        full = layer(i, full)
                    exact.append(full.norm(dim=(2, 3))[0] - norms)
                    out, k, w = occlude(xo, base, box, mode, float(value))
                    approx.append(out.norm(dim=(2, 3))[0] - norms)
                    kept, work = kept + k, work + w
            e, a = torch.stack(exact), torch.stack(approx)
            print(f"{sys.argv[1]} stride {stride} {mode} {value}: max relative error "
                  f"{((a - e).abs().max() / e.abs().max()).item():.4f}, multiply-adds kept {kept / work:.3f}")


if __name__ == "__main__":
    main()
