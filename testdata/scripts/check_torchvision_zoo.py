#!/usr/bin/python3
"""Exports torchvision's classification and segmentation models (seeded random weights, no download) at
several opsets, runs `./dnnvis visualize --target class:1 --method all` on each, and compares SaliNet with
PyTorch's gradient of the same score, computed in float32 and in float64. Deep random networks meet near-ties
(two maxima of a pooling window, or values that round to a tie in float32; docs/conformance.md): float32 and
float64 gradients can then differ by 1 %, and the comparison takes the closer of the two, printing both.

    mvn -q package -DskipTests
    /usr/bin/python3 testdata/scripts/check_torchvision_zoo.py WORK_DIR [--opsets 11,17] [--models a,b]

Prints one line per model and opset: the relative L2 error of SaliNet, or what failed. Needs Debian's
python3-torch, python3-torchvision and python3-onnx (torch 1.13: opsets up to 17); never run by the build.
"""
import argparse
import os
import subprocess
import sys
import warnings

import numpy as np
import torch
import torchvision

warnings.filterwarnings("ignore")
M = torchvision.models
DNNVIS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dnnvis")

MODELS = {
    "resnet18": (lambda: M.resnet18(num_classes=10), 64),
    "densenet121": (lambda: M.densenet121(num_classes=10), 64),
    "googlenet": (lambda: M.googlenet(num_classes=10, aux_logits=False, init_weights=True), 64),
    "inception_v3": (lambda: M.inception_v3(num_classes=10, aux_logits=False, init_weights=True), 96),
    "resnext50_32x4d": (lambda: M.resnext50_32x4d(num_classes=10), 64),
    "mnasnet0_5": (lambda: M.mnasnet0_5(num_classes=10), 64),
    "efficientnet_b0": (lambda: M.efficientnet_b0(num_classes=10), 64),
    "efficientnet_v2_s": (lambda: M.efficientnet_v2_s(num_classes=10), 64),
    "regnet_y_400mf": (lambda: M.regnet_y_400mf(num_classes=10), 64),
    "mobilenet_v3_large": (lambda: M.mobilenet_v3_large(num_classes=10), 64),
    "shufflenet_v2_x1_0": (lambda: M.shufflenet_v2_x1_0(num_classes=10), 64),
    "convnext_tiny": (lambda: M.convnext_tiny(num_classes=10), 64),
    "swin_t": (lambda: M.swin_t(num_classes=10), 64),
    "fcn_resnet50": (lambda: M.segmentation.fcn_resnet50(num_classes=4, weights_backbone=None, aux_loss=False), 64),
    "deeplabv3_mobilenet_v3_large": (lambda: M.segmentation.deeplabv3_mobilenet_v3_large(
        num_classes=4, weights_backbone=None, aux_loss=False), 64),
    "lraspp_mobilenet_v3_large": (lambda: M.segmentation.lraspp_mobilenet_v3_large(
        num_classes=4, weights_backbone=None), 64),
}


class Out(torch.nn.Module):
    """A segmentation model's dict output as one tensor."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        y = self.model(x)
        return y["out"] if isinstance(y, dict) else y


def make(name):
    torch.manual_seed(0)
    model = Out(MODELS[name][0]()).eval()
    with torch.no_grad():   # BatchNorm statistics that are not the identity
        for mod in model.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.1, 0.1)
                mod.running_var.uniform_(0.5, 1.5)
    return model


def export(model, x, path, name, opset):
    """Exports the model to path; False (with a line saying why) where PyTorch cannot export it, which is
    not dnnvis's failure."""
    try:
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["out"],
                          do_constant_folding=True)
        return True
    except Exception as e:
        print("%-30s opset %2d  export failed: %s" % (name, opset, str(e).splitlines()[0][:120]))
        return False


def gradient(model, x, dtype):
    """d(sum of output channel 1)/dx: the logit 1, or the sum of class 1's map."""
    m = model.to(dtype)
    xd = x.to(dtype).clone().requires_grad_(True)
    m(xd)[:, 1].sum().backward()
    model.float()
    return xd.grad.double().numpy()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work")
    parser.add_argument("--opsets", default="11,17")
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    failures = 0
    for name in args.models.split(","):
        model = make(name)
        size = MODELS[name][1]
        torch.manual_seed(1)
        x = torch.randn(1, 3, size, size)
        inp = os.path.join(args.work, "%s-input.npy" % name)
        np.save(inp, x.numpy())
        expected = {"f32": gradient(model, x, torch.float32), "f64": gradient(model, x, torch.float64)}
        for opset in (int(o) for o in args.opsets.split(",")):
            path = os.path.join(args.work, "%s_op%d.onnx" % (name, opset))
            if not export(model, x, path, name, opset):
                continue
            out = os.path.join(args.work, "%s_op%d.npy" % (name, opset))
            run = subprocess.run([DNNVIS, "visualize", path, "--input-npy", inp, "--target", "class:1",
                                  "--method", "all", "--save-npy", out, "--force"], capture_output=True, text=True)
            if run.returncode != 0:
                failures += 1
                print("%-30s opset %2d  FAILED: %s" % (name, opset, run.stderr.strip().splitlines()[-1][:200]))
                continue
            got = np.load(out.replace(".npy", "-salinet.npy"))
            errors = {}
            for kind, e in expected.items():
                norm = np.linalg.norm(e)
                errors[kind] = np.linalg.norm(got - e) / norm if norm > 0 else np.linalg.norm(got)
            ok = min(errors.values()) <= 1e-4
            failures += 0 if ok else 1
            print("%-30s opset %2d  SaliNet rel. L2 vs float32 %.2e, vs float64 %.2e %s"
                  % (name, opset, errors["f32"], errors["f64"], "" if ok else "FAILED"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
