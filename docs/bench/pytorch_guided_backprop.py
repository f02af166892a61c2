#!/usr/bin/env python3
"""PyTorch reference timings for docs/performance.md (never used by the build or the tests).

Guided backprop as PyTorch users write it: a backward hook on every ReLU that clamps the gradient
at 0, one forward pass through the features up to the target conv, one backward pass from the
chosen channel (start signal = the channel's activation, as dnnvis's default). Random weights
(torchvision, weights=None), random normal input from a fixed seed, 2 threads.

    /usr/bin/python3 docs/bench/pytorch_guided_backprop.py --model alexnet --layer-index 10
    /usr/bin/python3 docs/bench/pytorch_guided_backprop.py --model alexnet --layer-index 10 --freeze
    /usr/bin/python3 docs/bench/pytorch_guided_backprop.py --model alexnet --layer-index 10 --all
    /usr/bin/python3 docs/bench/pytorch_guided_backprop.py --model vgg16 --layer-index 28
    /usr/bin/python3 docs/bench/pytorch_guided_backprop.py --model alexnet --layer-index 10 --occlusion

--layer-index is the index in model.features of the target conv (AlexNet conv5: 10, VGG-16 conv5_3: 28);
for resnet50 the target is layer4's output (dnnvis: relu49).
Prints one JSON object with medians in milliseconds.
"""
import argparse
import json
import statistics
import time

import torch
import torchvision


def build(name, layer_index, freeze):
    model = getattr(torchvision.models, name)(weights=None).eval()
    if freeze:
        model.requires_grad_(False)  # no weight gradients: only the input's
    for m in model.modules():
        if isinstance(m, torch.nn.ReLU):
            m.inplace = False  # full backward hooks refuse in-place ReLUs
    if hasattr(model, "features"):
        return model.features[: layer_index + 1]
    # ResNet: the trunk up to layer4's output (dnnvis relu49); --layer-index is ignored
    return torch.nn.Sequential(model.conv1, model.bn1, model.relu, model.maxpool,
                               model.layer1, model.layer2, model.layer3, model.layer4)


def guided(truncated):
    def clamp(module, grad_in, grad_out):
        return (torch.clamp(grad_in[0], min=0.0),)

    handles = []
    for m in truncated.modules():
        if isinstance(m, torch.nn.ReLU):
            handles.append(m.register_full_backward_hook(clamp))
    return handles


def timed(fn, warmup, repeat):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times), "repeat": repeat}


def one_neuron(truncated, x, channel):
    def run():
        inp = x.clone().requires_grad_(True)
        out = truncated(inp)
        mask = torch.zeros_like(out)
        mask[:, channel] = 1.0
        out.backward(gradient=mask * out.detach())
        return inp.grad

    return run


def all_neurons(truncated, x):
    def run():
        inp = x.clone().requires_grad_(True)
        out = truncated(inp)
        act = out.detach()
        grads = []
        for c in range(out.shape[1]):
            mask = torch.zeros_like(out)
            mask[:, c] = act[:, c]
            (g,) = torch.autograd.grad(out, inp, grad_outputs=mask, retain_graph=True)
            grads.append(g)
        return grads

    return run


def forward_only(truncated, x):
    def run():
        with torch.no_grad():
            return truncated(x)

    return run


def occlusion(truncated, x, window, stride, batch):
    """Layer occlusion as dnnvis does it: centred windows of the input's mean, L2 norm per channel."""
    _, _, h, w = x.shape
    half = window // 2
    centres = [(i, j) for i in range(0, h, stride) for j in range(0, w, stride)]
    fill = x.mean()

    def run():
        with torch.no_grad():
            base = truncated(x).flatten(2).norm(dim=2)
            changes = []
            for start in range(0, len(centres), batch):
                chunk = centres[start:start + batch]
                xs = x.repeat(len(chunk), 1, 1, 1)
                for k, (i, j) in enumerate(chunk):
                    xs[k, :, max(0, i - half):i + half + 1, max(0, j - half):j + half + 1] = fill
                changes.append(truncated(xs).flatten(2).norm(dim=2) - base)
            return torch.cat(changes)

    return run, len(centres)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="alexnet")
    p.add_argument("--layer-index", type=int, default=10)
    p.add_argument("--neuron", type=int, default=10)
    p.add_argument("--all", action="store_true", help="every channel: one forward, one backward per channel")
    p.add_argument("--occlusion", action="store_true", help="layer occlusion instead of guided backprop")
    p.add_argument("--window", type=int, default=15)
    p.add_argument("--stride", type=int, default=8)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--freeze", action="store_true", help="weights without requires_grad (input gradient only)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeat", type=int, default=20)
    a = p.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    truncated = build(a.model, a.layer_index, a.freeze)
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(42))
    report = {"framework": "pytorch " + torch.__version__, "model": a.model, "layer_index": a.layer_index,
              "threads": torch.get_num_threads(), "frozen_weights": a.freeze}
    report["forward"] = timed(forward_only(truncated, x), a.warmup, a.repeat)
    if a.occlusion:
        run, windows = occlusion(truncated, x, a.window, a.stride, a.batch)
        report.update(method="occlusion", windows=windows, batch=a.batch)
        report["run"] = timed(run, min(a.warmup, 1), a.repeat)
    else:
        handles = guided(truncated)
        if a.all:
            report.update(method="guided backprop, all channels")
            report["run"] = timed(all_neurons(truncated, x), min(a.warmup, 1), a.repeat)
        else:
            report.update(method="guided backprop", neuron=a.neuron)
            report["run"] = timed(one_neuron(truncated, x, a.neuron), a.warmup, a.repeat)
        for h in handles:
            h.remove()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
