#!/usr/bin/python3
"""Exports torchvision's models as check_torchvision_zoo.py does (seeded random weights, no download; the
BatchNorm statistics measured on random images) and
runs `./dnnvis occlusion` on each twice, `--incremental on` (patched as far as the graph allows) and
`--incremental off` (every occluded image recomputed in full): layer occlusion at the last Conv two thirds
of the way through the graph, and score occlusion of class 1. The two maps must agree (relative L2 error at
most 1e-4, the reference tolerance; the largest value of each map is printed, to show it is far above
float rounding).

    mvn -q package -DskipTests
    /usr/bin/python3 testdata/scripts/check_occlusion_incremental.py WORK_DIR [--opsets 13,17] [--models a,b]

Prints one line per model, opset and target: the error, and how far the incremental run patched. Needs
Debian's python3-torch, python3-torchvision and python3-onnx; never run by the build.
"""
import argparse
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_torchvision_zoo import DNNVIS, MODELS, export, make  # noqa: E402

warnings.filterwarnings("ignore")


def calibrated(model, size):
    """The model with its BatchNorm statistics measured on random images: with the random ones of make(),
    EfficientNet, MnasNet and MobileNet v3 lose the input within a few blocks (an occluder then moves their
    deep maps by 1e-7, float rounding's size, and no comparison means anything)."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for n in norms:
        n.reset_running_stats()
        n.momentum = None  # the plain average of the batches
    model.train()
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(8, 3, size, size, generator=g))
    return model.eval()


def watched_conv(path):
    """The output of the Conv two thirds of the way along the graph's Convs."""
    convs = [n.output[0] for n in onnx.load(path).graph.node if n.op_type == "Conv"]
    return convs[(2 * len(convs)) // 3]


def occlusion(path, inp, out, mode, target):
    run = subprocess.run([DNNVIS, "occlusion", path, "--input-npy", inp, "--window", "9", "--stride", "6",
                          "--incremental", mode, "--save-npy", out, "-o", out[:-4] + "-png", "--verbose"] + target,
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(run.stderr.strip().splitlines()[-1][:200])
    computed = re.search(r"computed (.*)", run.stdout + run.stderr)
    return np.load(out), computed.group(1) if computed else "?"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work")
    parser.add_argument("--opsets", default="13,17")
    parser.add_argument("--models", default=",".join(m for m in MODELS if m != "swin_t"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    failures = 0
    for name in args.models.split(","):
        model = calibrated(make(name), MODELS[name][1])
        torch.manual_seed(1)
        x = torch.randn(1, 3, MODELS[name][1], MODELS[name][1])
        inp = os.path.join(args.work, "%s-input.npy" % name)
        np.save(inp, x.numpy())
        for opset in (int(o) for o in args.opsets.split(",")):
            path = os.path.join(args.work, "%s_op%d.onnx" % (name, opset))
            if not export(model, x, path, name, opset):
                continue
            for label, target in (("layer", ["--layer", watched_conv(path)]), ("class 1", ["--target", "class:1"])):
                stem = os.path.join(args.work, "%s_op%d_%s" % (name, opset, label.replace(" ", "")))
                try:
                    on, how = occlusion(path, inp, stem + "-on.npy", "on", target)
                    off, _ = occlusion(path, inp, stem + "-off.npy", "off", target)
                except RuntimeError as e:
                    failures += 1
                    print("%-30s opset %2d  %-7s FAILED: %s" % (name, opset, label, e))
                    continue
                norm = np.linalg.norm(off)
                error = np.linalg.norm(on - off) / norm if norm > 0 else np.linalg.norm(on)
                ok = error <= 1e-4 and on.shape == off.shape
                failures += 0 if ok else 1
                print("%-30s opset %2d  %-7s rel. L2 %.1e (map up to %.2g) %s%s" % (
                    name, opset, label, error, np.nanmax(np.abs(off)), how, "" if ok else "  FAILED"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
