#!/usr/bin/python3
"""The gate models of issue 19's guided gate rules (`--gates all`): a chain of 3x3 convolutions, each followed
by one of PyTorch's gates, exported by torch.onnx as PyTorch writes them (seeded weights, no download):

    conv0 ReLU6 (Clip(x, 0, 6)), conv1 SiLU (x * Sigmoid(x)), conv2 GELU (x * (1 + Erf(x / sqrt 2)) * 0.5),
    conv3 Hardswish (x * HardSigmoid(x) at opset 13, the HardSwish op at 17), conv4 LeakyReLU(0.1),
    conv5 PReLU (one slope per channel), conv6 ReLU

    /usr/bin/python3 testdata/scripts/make_gate_models.py testdata/gates

writes gate_chain_op13.onnx and gate_chain_op17.onnx, input `input` [1,3,8,8], output `output` [1,4,8,8]; and,
for the input gate_input.npy (values in [-3, 3]) and the start signal 1 on channel 2 of the output, the
reconstructions PyTorch computes with every gate under the guided rule (expected_desalinet.npy: each gate
sends back f'(z) * max(R, 0), f' by autograd) and under DeconvNet's (expected_deconvnet.npy: max(R, 0)), and
the plain gradient (expected_salinet.npy); the Conv layers send back their exact gradient.
The node names carry the module (/silu/Sigmoid, /silu/Mul); GateModelsTest finds each gate's input (the
output of the conv before it) and output (the last node of the gate's module) by them. Weights are scaled
so that for inputs in [-3, 3] every gate's input crosses its kinks (ReLU6's 0 and 6, Hardswish's +-3).
Needs Debian's python3-torch and python3-onnx (torch 1.13); the build and the tests never run it.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

GATES = [("relu6", nn.ReLU6()), ("silu", nn.SiLU()), ("gelu", nn.GELU()), ("hardswish", nn.Hardswish()),
         ("leaky", nn.LeakyReLU(0.1)), ("prelu", nn.PReLU(4)), ("relu", nn.ReLU())]


class GateChain(nn.Module):
    def __init__(self):
        super().__init__()
        channels = 3
        for k, (name, gate) in enumerate(GATES):
            conv = nn.Conv2d(channels, 4, 3, padding=1)
            with torch.no_grad():
                conv.weight.mul_(3.0)
            setattr(self, "conv%d" % k, conv)
            setattr(self, name, gate)
            channels = 4
        with torch.no_grad():
            self.prelu.weight.copy_(torch.tensor([0.25, -0.5, 0.05, 1.5]))

    def forward(self, x):
        for k, (name, _) in enumerate(GATES):
            x = getattr(self, name)(getattr(self, "conv%d" % k)(x))
        return x


class GatedBackward(torch.autograd.Function):
    """A gate whose backward is the guided rule f'(z) * max(R, 0) (autograd's vector-Jacobian product of the
    elementwise gate with the rectified signal) or DeconvNet's max(R, 0)."""

    @staticmethod
    def forward(ctx, z, gate, method):
        ctx.save_for_backward(z)
        ctx.gate = gate
        ctx.method = method
        return gate(z)

    @staticmethod
    def backward(ctx, r):
        (z,) = ctx.saved_tensors
        rectified = r.clamp(min=0)
        if ctx.method == "deconvnet":
            return rectified, None, None
        with torch.enable_grad():
            zz = z.detach().requires_grad_()
            (d,) = torch.autograd.grad(ctx.gate(zz), zz, rectified)
        return d, None, None


def reconstruction(model, x, method, channel=2):
    """The signal at the input for the start signal 1 on `channel` of the output, every gate under `method`."""
    x = x.clone().requires_grad_()
    h = x
    for k, (name, gate) in enumerate(GATES):
        h = getattr(model, "conv%d" % k)(h)
        h = gate(h) if method == "salinet" else GatedBackward.apply(h, gate, method)
    start = torch.zeros_like(h)
    start[:, channel] = 1
    (g,) = torch.autograd.grad(h, x, start)
    return g.detach().numpy().astype(np.float32)


def main(folder):
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(19)
    model = GateChain().eval()
    x = torch.rand(1, 3, 8, 8) * 6 - 3
    with torch.no_grad():
        h = x
        for k, (name, gate) in enumerate(GATES):
            h = getattr(model, "conv%d" % k)(h)
            print("%-9s input range [%.2f, %.2f]" % (name, h.min().item(), h.max().item()))
            h = gate(h)
    np.save(os.path.join(folder, "gate_input.npy"), x.numpy().astype(np.float32))
    for method in ("salinet", "deconvnet", "desalinet"):
        np.save(os.path.join(folder, "expected_%s.npy" % method), reconstruction(model, x, method))
    for opset in (13, 17):
        path = os.path.join(folder, "gate_chain_op%d.onnx" % opset)
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"])
        onnx.checker.check_model(onnx.load(path))
        ops = [n.op_type for n in onnx.load(path).graph.node if n.op_type not in ("Conv", "Constant")]
        print("wrote", path, os.path.getsize(path), "bytes:", " ".join(ops))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "testdata/gates")
