#!/usr/bin/env python3
"""PyTorch timings of the attribution methods for docs/performance.md (never used by the build or the tests).

As users write them in PyTorch (torchvision model, random weights, eval mode, 2 threads):
- gradcam: pytorch-grad-cam's way: a forward hook on the target layer keeps its activation and a
  tensor hook its gradient; one forward pass of the whole model, one backward pass from the class
  score (weights keep requires_grad, as pytorch-grad-cam leaves them), then the CAM
  relu(sum_c mean(G_c) A_c).
- integrated-gradients: Captum's Gauss-Legendre path, the N path points as ONE batch with autograd
  (torch.autograd.grad of the summed class scores with respect to the batch), then the weighted sum
  times (x - baseline).
- smoothgrad: N noisy copies as one batch, the mean of their input gradients.

    /usr/bin/python3 docs/bench/pytorch_attribution.py --method gradcam
    /usr/bin/python3 docs/bench/pytorch_attribution.py --method integrated-gradients --steps 50
    /usr/bin/python3 docs/bench/pytorch_attribution.py --method smoothgrad --samples 50

Prints one JSON object with the median in milliseconds and the peak RSS in MB.
"""
import argparse
import json
import resource
import statistics
import time

import numpy
import torch
import torchvision


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet50")
    p.add_argument("--method", required=True, choices=["gradcam", "integrated-gradients", "smoothgrad"])
    p.add_argument("--target", type=int, default=0)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--samples", type=int, default=50)
    p.add_argument("--noise", type=float, default=0.15)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, a.model)(weights=None).eval()
    x = torch.randn(1, 3, 224, 224)
    k = a.target

    def gradcam():
        kept = {}

        def keep(_module, _inputs, output):
            kept["a"] = output
            output.register_hook(lambda g: kept.__setitem__("g", g))

        handle = model.layer4.register_forward_hook(keep)
        try:
            out = model(x)
            model.zero_grad()
            out[0, k].backward()
            act, grad = kept["a"].detach(), kept["g"]
            weights = grad.mean(dim=(2, 3), keepdim=True)
            return torch.relu((weights * act).sum(dim=1))
        finally:
            handle.remove()

    nodes, node_weights = numpy.polynomial.legendre.leggauss(a.steps)
    alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32)
    step_weights = torch.tensor(node_weights / 2, dtype=torch.float32)

    def integrated_gradients():
        baseline = torch.zeros_like(x)
        path = (baseline + alphas.view(-1, 1, 1, 1) * (x - baseline)).requires_grad_(True)
        scores = model(path)[:, k].sum()
        (grads,) = torch.autograd.grad(scores, path)
        return (x - baseline) * (step_weights.view(-1, 1, 1, 1) * grads).sum(dim=0, keepdim=True)

    def smoothgrad():
        sigma = a.noise * (x.max() - x.min())
        noisy = (x + sigma * torch.randn(a.samples, *x.shape[1:])).requires_grad_(True)
        scores = model(noisy)[:, k].sum()
        (grads,) = torch.autograd.grad(scores, noisy)
        return grads.mean(dim=0, keepdim=True)

    run = {"gradcam": gradcam, "integrated-gradients": integrated_gradients, "smoothgrad": smoothgrad}[a.method]
    for _ in range(a.warmup):
        run()
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    with torch.no_grad():
        t0 = time.perf_counter()
        model(x)
        forward_ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({"framework": "pytorch", "model": a.model, "method": a.method, "threads": a.threads,
                      "steps": a.steps if a.method == "integrated-gradients" else None,
                      "samples": a.samples if a.method == "smoothgrad" else None,
                      "median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3),
                      "forward_ms": round(forward_ms, 3),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
