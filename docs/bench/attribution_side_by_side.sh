#!/usr/bin/env bash
# The attribution rows of docs/performance.md: dnnvis bench next to PyTorch (docs/bench/pytorch_attribution.py),
# ResNet-50 at 224, one after the other, 2 threads each; one JSON line per run on stdout.
# Needs the jar (mvn -q package -DskipTests) and /usr/bin/python3 with torch and torchvision.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
threads="${THREADS:-2}"
dnnvis() { "$here/dnnvis" bench builtin:resnet50 --threads "$threads" --json --target class:0 "$@"; }
torch() { /usr/bin/python3 "$here/docs/bench/pytorch_attribution.py" --threads "$threads" --target 0 "$@"; }
dnnvis --method gradcam --layer relu49 --warmup 3 --repeat 10
torch --method gradcam --warmup 3 --repeat 10
dnnvis --method integrated-gradients --steps 50 --warmup 1 --repeat 3
torch --method integrated-gradients --steps 50 --warmup 1 --repeat 2
dnnvis --method smoothgrad --samples 50 --warmup 1 --repeat 3
torch --method smoothgrad --samples 50 --warmup 1 --repeat 2
