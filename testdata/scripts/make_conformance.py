#!/usr/bin/python3
"""The conformance suite of issue 17: models nobody in this project wrote the graph of, exported by PyTorch
with seeded random weights (no download), with reference backward-net outputs computed by PyTorch autograd
in the format of testdata/reference/manifest.json (semantics: testdata/reference/README.md).

    /usr/bin/python3 testdata/scripts/make_conformance.py testdata/conformance            # small, shipped
    /usr/bin/python3 testdata/scripts/make_conformance.py ~/.cache/dnnvis/conformance --large

The small set is committed under testdata/conformance and read by the normal tests; the large set
(ConvNeXt-Tiny at opsets 13 and 17, LR-ASPP MobileNetV3-Large) is written on demand and read by the
opt-in Maven profile `conformance` (`mvn -B test -Pconformance -Ddnnvis.conformance=DIR`).
Needs Debian's python3-torch, python3-torchvision and python3-onnx (torch 1.13: opsets up to 17); the
build and the tests never run it.

Every model gets cases at a middle layer, a late layer and the output. The layer tensor of a module is the
output of the last ONNX node exported inside that module's scope (node names carry the module path).
Models without ReLU (ConvNeXt: GELU) have the same values for all three backward nets (only Relu, LRN and
MaxPool differ between them); their cases still name each method.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper, TensorProto
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.convnext import ConvNeXt, CNBlockConfig
from torchvision.models.segmentation.lraspp import LRASPP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torchvision_cases import MethodReLU, with_method  # noqa: E402


class Logits(nn.Module):
    """A segmentation model's dict output as one tensor."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


class TinyCnn(nn.Module):
    """Conv-Relu-MaxPool-Conv-Relu-GAP-Linear; `nhwc` takes [N,H,W,C] input as tf2onnx exports do."""

    def __init__(self, nhwc=False, quantized=False):
        super().__init__()
        self.nhwc = nhwc
        self.quantized = quantized
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.fc = nn.Linear(16, 5)

    def q(self, x, scale, zero_point, lo, hi):
        return torch.fake_quantize_per_tensor_affine(x, scale, zero_point, lo, hi) if self.quantized else x

    def weight(self, conv):
        if not self.quantized:
            return conv.weight
        scale = conv.weight.detach().abs().amax(dim=(1, 2, 3)) / 127
        return torch.fake_quantize_per_channel_affine(conv.weight, scale, torch.zeros(scale.shape[0],
                                                       dtype=torch.int32), 0, -128, 127)

    def forward(self, x):
        if self.nhwc:
            x = x.permute(0, 3, 1, 2)
        x = self.q(x, 0.02, 128, 0, 255)
        x = self.relu1(F.conv2d(x, self.weight(self.conv1), self.conv1.bias, padding=1))
        x = self.q(x, 0.01, 0, 0, 255)
        x = self.pool(x)
        x = self.relu2(F.conv2d(x, self.weight(self.conv2), self.conv2.bias, padding=1))
        x = self.q(x, 0.01, 0, 0, 255)
        x = x.mean(dim=(2, 3))
        return self.fc(x)


class TinyCrnn(nn.Module):
    """A text-line recognizer's shape: conv features, height pooled away, [N, T, K] per-step class scores."""

    def __init__(self, classes=7):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 12, 3, stride=(2, 1), padding=1)
        self.relu2 = nn.ReLU()
        self.fc = nn.Linear(12, classes)

    def forward(self, x):
        x = self.relu2(self.conv2(self.relu1(self.conv1(x))))
        x = x.mean(dim=2)                      # [N, C, T]
        return self.fc(x.permute(0, 2, 1))     # [N, T, K]


def convnext_mini():
    m = ConvNeXt([CNBlockConfig(16, 32, 1), CNBlockConfig(32, 64, 1), CNBlockConfig(64, None, 2)],
                 stochastic_depth_prob=0.0, num_classes=10)
    with torch.no_grad():
        for mod in m.modules():
            if hasattr(mod, "layer_scale"):
                mod.layer_scale.uniform_(0.5, 1.5)   # 1e-6 at init would hide every block's branch
            if isinstance(mod, nn.LayerNorm):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.1, 0.1)
    return m


def lraspp_mini(classes=4):
    backbone = torchvision.models.mobilenet_v3_large(width_mult=0.25, dilated=True).features
    stages = [0] + [i for i, b in enumerate(backbone) if getattr(b, "_is_cn", False)] + [len(backbone) - 1]
    low, high = stages[-4], stages[-1]
    features = torchvision.models._utils.IntermediateLayerGetter(backbone, {str(low): "low", str(high): "high"})
    return Logits(LRASPP(features, backbone[low].out_channels, backbone[high].out_channels, classes))


def perturb_batchnorm(model):
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.1, 0.1)
                mod.running_var.uniform_(0.5, 1.5)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.1, 0.1)


def module_output(model, x, module_name):
    """The model output and the output of the named module (None: the model output)."""
    captured = {}
    handle = None
    if module_name is not None:
        handle = dict(model.named_modules())[module_name].register_forward_hook(
            lambda mod, i, o: captured.setdefault("t", o))
    y = model(x)
    if handle is not None:
        handle.remove()
    return y, captured.get("t", y)


def backward(model, x, method, module_name, select, start):
    """The input's signal when `select(t)` (a 0/1 mask of the target t) starts the backward net."""
    m = with_method(model, method).eval()
    x = x.clone().requires_grad_(True)
    _, t = module_output(m, x, module_name)
    mask = select(t)
    g = mask * t.detach() if start == "activation" else mask
    t.backward(g)
    return x.grad.detach().numpy().astype(np.float32)


def channel_mask(channel, yx=None):
    def select(t):
        mask = torch.zeros_like(t)
        if yx is None:
            mask[:, channel] = 1
        else:
            mask[:, channel, yx[0], yx[1]] = 1
        return mask
    return select


def onnx_layer(graph, module_name, output_name, scope=None):
    """The manifest's description of the tensor a module (None: the model output) writes: the output of the
    last node in the module's export scope (`scope`, by default /a/a.b/a.b.c/ for module a.b.c)."""
    nodes = [n for n in graph.node if n.op_type != "Constant"]
    if module_name is None:
        node = [n for n in nodes if output_name in n.output][0]
    else:
        scope = scope or "/" + "/".join(module_name.split(".")[:1] + [
            ".".join(module_name.split(".")[:k + 1]) for k in range(1, len(module_name.split(".")))]) + "/"
        node = [n for n in nodes if n.name.startswith(scope)][-1]
    same_op = [n.name for n in nodes if n.op_type == node.op_type]
    return {"tensor": node.output[0], "node": node.name, "op": node.op_type,
            "alias": "%s%d" % (node.op_type.lower(), same_op.index(node.name) + 1)}


def export(model, x, path, opset, output="logits", input_name="input"):
    torch.onnx.export(model, x, path, opset_version=opset, input_names=[input_name], output_names=[output],
                      do_constant_folding=True)


def to_float16(src, dst):
    """The exported model stored in float16: every float initializer, the input and the output."""
    m = onnx.load(src)
    g = m.graph
    for i, init in enumerate(g.initializer):
        if init.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16),
                                                               init.name))
    for n in g.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value" and a.t.data_type == TensorProto.FLOAT:
                    a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16)))
    for v in list(g.input) + list(g.output):
        v.type.tensor_type.elem_type = TensorProto.FLOAT16
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, dst)


class Suite:
    def __init__(self, out):
        self.out = out
        self.cases = []
        for sub in ("models", "inputs", "expected"):
            os.makedirs(os.path.join(out, sub), exist_ok=True)

    def path(self, *parts):
        return os.path.join(self.out, *parts)

    def save_input(self, name, x):
        np.save(self.path("inputs", name + ".npy"), x.numpy().astype(np.float32))

    def add(self, name, model, x, module_name, method, start, onnx_file, input_file, output="logits",
            layout="NCHW", target=None, select=None, yx=None, scope=None):
        graph = onnx.load(self.path("models", onnx_file)).graph
        layer = onnx_layer(graph, module_name, output, scope)
        y, t = module_output(model.eval(), x, module_name)
        layer["shape"] = list(t.shape)
        case = {"id": "%s-%02d-%s" % (name, len(self.cases), method), "model": "models/" + onnx_file,
                "input": "inputs/" + input_file, "layer": layer, "method": method, "start": start,
                "pooling": "switch", "layout": layout}
        if select is None:
            flat = t.reshape(t.shape[0], t.shape[1], -1) if t.dim() > 2 else t.unsqueeze(2)
            channel = int(torch.argmax(flat.amax(dim=2)[0]))
            case["channel"] = channel
            if yx is not None:
                case["yx"] = yx
            select = channel_mask(channel, yx)
        else:
            case.update(target)
        expected = backward(model, x, method, module_name, select, start)
        if layout == "NHWC":
            expected = expected.transpose(0, 3, 1, 2).copy()   # dnnvis writes input-space maps NCHW
        case["expected"] = "expected/%s.npy" % case["id"]
        np.save(self.path(case["expected"]), expected)
        self.cases.append(case)
        print(case["id"], layer["alias"], layer["shape"], case.get("channel", target),
              float(np.abs(expected).max()))

    def write(self):
        with open(self.path("manifest.json"), "w") as f:
            json.dump({"cases": self.cases}, f, indent=1)


def small(suite):
    torch.manual_seed(10)
    cn = convnext_mini().eval()
    x = torch.randn(1, 3, 64, 64)
    suite.save_input("convnext_mini", x)
    for opset in (13, 17):
        name = "convnext_mini_op%d" % opset
        export(cn, x, suite.path("models", name + ".onnx"), opset)
        suite.add(name, cn, x, "features.1", "salinet", "ones", name + ".onnx", "convnext_mini.npy")
        suite.add(name, cn, x, "features.5", "desalinet", "activation", name + ".onnx", "convnext_mini.npy",
                  yx=[1, 1])
        suite.add(name, cn, x, None, "deconvnet", "activation", name + ".onnx", "convnext_mini.npy")

    torch.manual_seed(11)
    seg = lraspp_mini().eval()
    perturb_batchnorm(seg)
    x = torch.randn(1, 3, 64, 64)
    suite.save_input("lraspp_mini", x)
    export(seg, x, suite.path("models", "lraspp_mini.onnx"), 13, output="out")
    suite.add("lraspp_mini", seg, x, "model.backbone.4", "desalinet", "activation", "lraspp_mini.onnx",
              "lraspp_mini.npy", output="out", scope="/model/backbone/backbone.4/")

    def region(k, y0, x0, y1, x1):
        def select(t):
            mask = torch.zeros_like(t)
            mask[:, k, y0:y1, x0:x1] = 1
            return mask
        return select
    suite.add("lraspp_mini", seg, x, None, "salinet", "ones", "lraspp_mini.onnx", "lraspp_mini.npy",
              output="out", target={"target": "class:2", "region": [8, 16, 40, 48]}, select=region(2, 8, 16, 40, 48))
    suite.add("lraspp_mini", seg, x, None, "salinet", "ones", "lraspp_mini.onnx", "lraspp_mini.npy",
              output="out", target={"target": "class:1"}, select=region(1, 0, 0, 64, 64))

    torch.manual_seed(12)
    crnn = TinyCrnn().eval()
    x = torch.randn(1, 3, 16, 40)
    suite.save_input("crnn_mini", x)
    export(crnn, x, suite.path("models", "crnn_mini.onnx"), 13)

    def step(k, t_index):
        def select(t):
            mask = torch.zeros_like(t)
            mask[:, t_index, k] = 1
            return mask
        return select
    suite.add("crnn_mini", crnn, x, None, "salinet", "ones", "crnn_mini.onnx", "crnn_mini.npy",
              target={"target": "class:3@5"}, select=step(3, 5))
    suite.add("crnn_mini", crnn, x, None, "desalinet", "ones", "crnn_mini.onnx", "crnn_mini.npy",
              target={"target": "class:4"}, select=lambda t: torch.zeros_like(t).index_fill_(2, torch.tensor([4]), 1))

    # an NHWC model (a transpose right after the input, as tf2onnx exports) and its NCHW twin
    torch.manual_seed(13)
    nchw = TinyCnn().eval()
    nhwc = TinyCnn(nhwc=True).eval()
    nhwc.load_state_dict(nchw.state_dict())
    x = torch.randn(1, 3, 32, 32)
    suite.save_input("tiny_nchw", x)
    suite.save_input("tiny_nhwc", x.permute(0, 2, 3, 1).contiguous())
    export(nchw, x, suite.path("models", "tiny_nchw.onnx"), 13)
    export(nhwc, x.permute(0, 2, 3, 1).contiguous(), suite.path("models", "tiny_nhwc.onnx"), 13)
    for method, start in (("deconvnet", "activation"), ("salinet", "ones"), ("desalinet", "activation")):
        suite.add("tiny_nchw", nchw, x, "relu2", method, start, "tiny_nchw.onnx", "tiny_nchw.npy")
        suite.add("tiny_nhwc", nhwc, x.permute(0, 2, 3, 1).contiguous(), "relu2", method, start, "tiny_nhwc.onnx",
                  "tiny_nhwc.npy", layout="NHWC")

    # QDQ: fake quantization exports as QuantizeLinear/DequantizeLinear pairs; PyTorch's gradient through
    # them is straight-through inside the representable range and zero outside
    torch.manual_seed(14)
    qdq = TinyCnn(quantized=True).eval()
    x = torch.randn(1, 3, 32, 32)
    suite.save_input("tiny_qdq", x)
    export(qdq, x, suite.path("models", "tiny_qdq.onnx"), 13)
    suite.add("tiny_qdq", qdq, x, "relu2", "salinet", "ones", "tiny_qdq.onnx", "tiny_qdq.npy")
    suite.add("tiny_qdq", qdq, x, None, "desalinet", "activation", "tiny_qdq.onnx", "tiny_qdq.npy")

    # float16: the model stored in half precision; the reference runs the same half-rounded weights in float32
    torch.manual_seed(15)
    half = TinyCnn().eval()
    with torch.no_grad():
        for p in half.parameters():
            p.copy_(p.half().float())
    x = torch.randn(1, 3, 32, 32).half().float()
    suite.save_input("tiny_fp16", x)
    export(half, x, suite.path("models", "tiny_fp32.onnx"), 13)
    to_float16(suite.path("models", "tiny_fp32.onnx"), suite.path("models", "tiny_fp16.onnx"))
    os.remove(suite.path("models", "tiny_fp32.onnx"))
    suite.add("tiny_fp16", half, x, "relu2", "salinet", "ones", "tiny_fp16.onnx", "tiny_fp16.npy")
    suite.add("tiny_fp16", half, x, None, "desalinet", "activation", "tiny_fp16.onnx", "tiny_fp16.npy")


def large(suite):
    torch.manual_seed(20)
    cn = torchvision.models.convnext_tiny().eval()
    x = torch.randn(1, 3, 224, 224)
    suite.save_input("convnext_tiny", x)
    for opset in (13, 17):
        name = "convnext_tiny_op%d" % opset
        export(cn, x, suite.path("models", name + ".onnx"), opset)
        suite.add(name, cn, x, "features.3", "salinet", "ones", name + ".onnx", "convnext_tiny.npy")
        suite.add(name, cn, x, "features.5", "salinet", "activation", name + ".onnx", "convnext_tiny.npy")
        suite.add(name, cn, x, None, "salinet", "ones", name + ".onnx", "convnext_tiny.npy")
    torch.manual_seed(21)
    seg = Logits(torchvision.models.segmentation.lraspp_mobilenet_v3_large(num_classes=21,
                                                                            weights_backbone=None)).eval()
    perturb_batchnorm(seg)
    x = torch.randn(1, 3, 224, 224)
    suite.save_input("lraspp_mobilenet_v3_large", x)
    export(seg, x, suite.path("models", "lraspp_mobilenet_v3_large.onnx"), 13, output="out")

    def region(t):
        mask = torch.zeros_like(t)
        mask[:, 15, 64:160, 64:160] = 1
        return mask
    suite.add("lraspp_mobilenet_v3_large", seg, x, None, "salinet", "ones", "lraspp_mobilenet_v3_large.onnx",
              "lraspp_mobilenet_v3_large.npy", output="out",
              target={"target": "class:15", "region": [64, 64, 160, 160]}, select=region)


def main(args):
    suite = Suite(args[0])
    if "--large" in args:
        large(suite)
    else:
        small(suite)
    suite.write()


if __name__ == "__main__":
    main(sys.argv[1:])
