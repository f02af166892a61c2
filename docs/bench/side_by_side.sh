#!/usr/bin/env bash
# Runs the benchmarks of docs/performance.md one after the other (never in parallel: they share the
# cores), dnnvis next to PyTorch, and appends one JSON line per run to OUT/<case>.jsonl
# (default OUT: ${TMPDIR:-/tmp}/dnnvis-bench). Usage: docs/bench/side_by_side.sh [OUT]
# Needs the jar (mvn -q package -DskipTests) and, for the PyTorch rows, /usr/bin/python3 with torch and
# torchvision (apt-get install python3-torch python3-torchvision). Not used by the build or the tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-${TMPDIR:-/tmp}/dnnvis-bench}"
threads="${THREADS:-2}"
mkdir -p "$out"
dnnvis() { "$here/dnnvis" bench "$@" --threads "$threads" --json; }
torch_gb() { /usr/bin/python3 "$here/docs/bench/pytorch_guided_backprop.py" --threads "$threads" "$@"; }
run() { local name="$1"; shift; echo "== $name" >&2; "$@" | tee -a "$out/$name.jsonl"; }

# one neuron: medians of a few hundred calls (30 were too few on this VM to average out a disturbance)
run alexnet-one      dnnvis builtin:alexnet --layer conv5 --method desalinet --neuron 10 --warmup 100 --repeat 300
run alexnet-one      torch_gb --model alexnet --layer-index 10 --neuron 10 --repeat 100
run alexnet-one      torch_gb --model alexnet --layer-index 10 --neuron 10 --repeat 100 --freeze
run alexnet-all      dnnvis builtin:alexnet --layer conv5 --method desalinet --neuron all --warmup 1 --repeat 5
run alexnet-all      torch_gb --model alexnet --layer-index 10 --all --repeat 5
run alexnet-occl     dnnvis builtin:alexnet --layer conv5 --method occlusion --window 15 --stride 8 --warmup 1 --repeat 3
run alexnet-occl     dnnvis builtin:alexnet --layer conv5 --method occlusion --window 15 --stride 8 --batch 64 --warmup 1 --repeat 3
run alexnet-occl     torch_gb --model alexnet --layer-index 10 --occlusion --window 15 --stride 8 --batch 64 --repeat 3
run vgg16-one        dnnvis builtin:vgg16 --layer conv13 --method desalinet --neuron 10 --warmup 2 --repeat 10
run vgg16-one        torch_gb --model vgg16 --layer-index 28 --neuron 10 --repeat 10
run resnet50-one     dnnvis builtin:resnet50 --layer relu49 --method desalinet --neuron 10 --warmup 2 --repeat 10
run resnet50-one     torch_gb --model resnet50 --neuron 10 --repeat 10
