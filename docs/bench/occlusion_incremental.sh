#!/usr/bin/env bash
# Issue 22's rows of docs/performance.md: occlusion in full (--incremental off), incremental (auto) and
# approximate, next to PyTorch's full recompute, one after the other and interleaved over ROUNDS rounds
# (the cores are shared: compare rows of one sitting only). Appends one JSON line per run to
# OUT/<case>.jsonl (default OUT: ${TMPDIR:-/tmp}/dnnvis-bench-occl). Needs the jar (mvn -q package
# -DskipTests) and /usr/bin/python3 with torch and torchvision. Not used by the build or the tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-${TMPDIR:-/tmp}/dnnvis-bench-occl}"
threads="${THREADS:-2}"
rounds="${ROUNDS:-2}"
mkdir -p "$out"
dnnvis() { "$here/dnnvis" bench "$@" --threads "$threads" --json; }
torch_occl() { /usr/bin/python3 "$here/docs/bench/pytorch_guided_backprop.py" --threads "$threads" --occlusion "$@"; }
run() { local name="$1"; shift; echo "== $name" >&2; "$@" | tee -a "$out/$name.jsonl"; }

for round in $(seq "$rounds"); do
  a="builtin:alexnet --layer conv5 --method occlusion --window 15 --stride 8 --warmup 1 --repeat 3"
  run alexnet-occl   dnnvis $a --incremental off
  run alexnet-occl   dnnvis $a
  run alexnet-occl   torch_occl --model alexnet --layer-index 10 --window 15 --stride 8 --batch 64 --repeat 3
  run alexnet-score  dnnvis builtin:alexnet --layer gemm3 --target class:1 --method occlusion --window 15 --stride 8 --warmup 1 --repeat 3 --incremental off
  run alexnet-score  dnnvis builtin:alexnet --layer gemm3 --target class:1 --method occlusion --window 15 --stride 8 --warmup 1 --repeat 3
done
for w in 15 31; do
  run vgg16-occl     dnnvis builtin:vgg16 --layer conv13 --method occlusion --window $w --stride 16 --warmup 0 --repeat 1 --incremental off
  run vgg16-occl     dnnvis builtin:vgg16 --layer conv13 --method occlusion --window $w --stride 16 --warmup 0 --repeat 1
  run vgg16-occl     torch_occl --model vgg16 --layer-index 28 --window $w --stride 16 --batch 16 --warmup 0 --repeat 1
  run resnet50-occl  dnnvis builtin:resnet50 --layer relu49 --method occlusion --window $w --stride 16 --warmup 0 --repeat 1 --incremental off
  run resnet50-occl  dnnvis builtin:resnet50 --layer relu49 --method occlusion --window $w --stride 16 --warmup 0 --repeat 1
  run resnet50-occl  torch_occl --model resnet50 --window $w --stride 16 --batch 16 --warmup 0 --repeat 1
done
