#!/usr/bin/python3
"""Exports small torchvision architectures (seeded random weights, no download) to ONNX and writes
reference backward-net outputs computed with PyTorch autograd, in the format of
testdata/reference/manifest.json (semantics: testdata/reference/README.md).

Run once with Debian's python3-torch, python3-torchvision and python3-onnx:
    /usr/bin/python3 testdata/scripts/make_torchvision_cases.py testdata/torchvision
The build and the tests never run it; they read the files it wrote.
"""
import copy
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision


class RuleReLU(torch.autograd.Function):
    """ReLU whose backward follows one backward net (the reference README's table)."""

    @staticmethod
    def forward(ctx, x, method):
        ctx.save_for_backward(x)
        ctx.method = method
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.method == "salinet":
            return g * (x > 0).to(g.dtype), None
        if ctx.method == "deconvnet":
            return g.clamp(min=0), None
        return g.clamp(min=0) * (x > 0).to(g.dtype), None


class MethodReLU(nn.Module):
    def __init__(self, method):
        super().__init__()
        self.method = method

    def forward(self, x):
        return RuleReLU.apply(x, self.method)


def with_method(model, method):
    m = copy.deepcopy(model)
    for name, module in list(m.named_modules()):
        for child_name, child in list(module.named_children()):
            if type(child) is nn.ReLU:
                setattr(module, child_name, MethodReLU(method))
    return m


def relu_outputs(model, x):
    """Runs the model and returns the outputs of every ReLU call, in call order, and the output."""
    outs = []
    hooks = [m.register_forward_hook(lambda mod, i, o: outs.append(o))
             for m in model.modules() if isinstance(m, (nn.ReLU, MethodReLU))]
    y = model(x)
    for h in hooks:
        h.remove()
    return outs, y


def reconstruct(model, x, method, relu_index, channel, start, yx=None):
    m = with_method(model, method).eval()
    x = x.clone().requires_grad_(True)
    outs, y = relu_outputs(m, x)
    t = y if relu_index is None else outs[relu_index]
    mask = torch.zeros_like(t)
    if yx is None:
        mask[:, channel] = 1
    else:
        mask[:, channel, yx[0], yx[1]] = 1
    g = mask * t.detach() if start == "activation" else mask
    t.backward(g)
    return x.grad.detach().numpy().astype(np.float32)


def models():
    torch.manual_seed(0)
    yield "squeezenet1_1", torchvision.models.squeezenet1_1(num_classes=10), 96, True
    torch.manual_seed(1)
    yield "shufflenet_v2_x0_5", torchvision.models.shufflenet_v2_x0_5(num_classes=10), 64, False
    torch.manual_seed(2)
    yield "mobilenet_v3_small", torchvision.models.mobilenet_v3_small(num_classes=10), 64, True
    torch.manual_seed(3)
    yield "mobilenet_v2_w025", torchvision.models.MobileNetV2(num_classes=10, width_mult=0.25), 64, False
    torch.manual_seed(4)
    yield "resnet_basic_1111", torchvision.models.resnet.ResNet(
        torchvision.models.resnet.BasicBlock, [1, 1, 1, 1], num_classes=10), 64, True


def main(out):
    os.makedirs(os.path.join(out, "models"), exist_ok=True)
    os.makedirs(os.path.join(out, "inputs"), exist_ok=True)
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    cases = []
    for name, model, size, dynamic in models():
        model.eval()
        # perturb the BatchNorm statistics so they are not the identity
        with torch.no_grad():
            for mod in model.modules():
                if isinstance(mod, nn.BatchNorm2d):
                    mod.running_mean.uniform_(-0.1, 0.1)
                    mod.running_var.uniform_(0.5, 1.5)
                    mod.weight.uniform_(0.5, 1.5)
                    mod.bias.uniform_(-0.1, 0.1)
        torch.manual_seed(100)
        x = torch.randn(1, 3, size, size)
        path = os.path.join(out, "models", name + ".onnx")
        torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}} if dynamic else None,
                          do_constant_folding=True)
        np.save(os.path.join(out, "inputs", name + ".npy"), x.numpy().astype(np.float32))
        graph = onnx.load(path).graph
        relus = [n for n in graph.node if n.op_type == "Relu"]
        outs, y = relu_outputs(model, x)
        assert len(outs) == len(relus), (name, len(outs), len(relus))
        picks = [
            ("desalinet", len(relus) // 2, "activation", None),
            ("salinet", len(relus) // 3, "activation", None),
            ("deconvnet", len(relus) - 1, "activation", None),
            ("desalinet", None, "ones", None),
            ("salinet", len(relus) // 2, "ones", "center"),
        ]
        if not relus:
            # ReLU6 models (MobileNetV2): Clip is exact in every method; visualize the logits
            picks = [("desalinet", None, "ones", None), ("deconvnet", None, "activation", None),
                     ("salinet", None, "ones", None)]
        for k, (method, index, start, yx) in enumerate(picks):
            t = y if index is None else outs[index]
            channel = int(torch.argmax(t.reshape(t.shape[0], t.shape[1], -1).amax(dim=2)[0]))
            position = None
            if yx == "center" and t.dim() == 4:
                position = [t.shape[2] // 2, t.shape[3] // 2]
            expected = reconstruct(model, x, method, index, channel, start, position)
            case_id = "%s-%02d-%s" % (name, k, method)
            np.save(os.path.join(out, "expected", case_id + ".npy"), expected)
            if index is None:
                node = [n for n in graph.node if "logits" in n.output][0]
                alias_op, alias_index = node.op_type, [n.name for n in graph.node if n.op_type == node.op_type].index(node.name) + 1
                layer = {"tensor": "logits", "node": node.name, "op": node.op_type,
                         "alias": "%s%d" % (alias_op.lower(), alias_index), "shape": list(t.shape)}
            else:
                node = relus[index]
                layer = {"tensor": node.output[0], "node": node.name, "op": "Relu",
                         "alias": "relu%d" % (index + 1), "shape": list(t.shape)}
            case = {"id": case_id, "model": "models/%s.onnx" % name, "input": "inputs/%s.npy" % name,
                    "layer": layer, "method": method, "channel": channel, "start": start, "pooling": "switch",
                    "expected": "expected/%s.npy" % case_id, "layout": "NCHW"}
            if position is not None:
                case["yx"] = position
            cases.append(case)
            print(case_id, layer["alias"], channel, float(np.abs(expected).max()))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
