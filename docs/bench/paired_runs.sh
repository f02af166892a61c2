#!/usr/bin/env bash
# Paired runs of two builds: for every case, build A then build B, PAIRS times, each a fresh JVM started
# by that checkout's ./dnnvis launcher, so that both see the same moments of a noisy machine.
# Usage: docs/bench/paired_runs.sh CHECKOUT_A CHECKOUT_B [PAIRS] [OUT_DIR]
# Each checkout must have been built (mvn -q package -DskipTests). Prints one line per run:
# case, checkout, median_ms, min_ms, session_ms, peak_rss_mb.
set -euo pipefail
a="$(cd "$1" && pwd)"
b="$(cd "$2" && pwd)"
pairs="${3:-3}"
out="${4:-${TMPDIR:-/tmp}/dnnvis-paired}"
threads=2
mkdir -p "$out"

cases=(
  "alexnet-one|builtin:alexnet --layer conv5 --method desalinet --neuron 10 --warmup 100 --repeat 300"
  "alexnet-all|builtin:alexnet --layer conv5 --method desalinet --neuron all --warmup 1 --repeat 5"
  "alexnet-occl|builtin:alexnet --layer conv5 --method occlusion --window 15 --stride 8 --warmup 1 --repeat 3"
  "vgg16-one|builtin:vgg16 --layer conv13 --method desalinet --neuron 10 --warmup 2 --repeat 10"
  "resnet50-one|builtin:resnet50 --layer relu49 --method desalinet --neuron 10 --warmup 2 --repeat 10"
)

field() { sed -n "s/.*\"$1\" *: *\([0-9.]*\).*/\1/p" "$2" | head -1; }

for entry in "${cases[@]}"; do
  name="${entry%%|*}"
  args="${entry#*|}"
  for ((p = 1; p <= pairs; p++)); do
    for side in A B; do
      dir="$a"; [ "$side" = B ] && dir="$b"
      file="$out/$name-$side-$p.json"
      # shellcheck disable=SC2086
      "$dir/dnnvis" bench $args --threads "$threads" --json > "$file"
      tr -d '\n' < "$file" > "$file.flat"
      printf '%-13s %s  median %8s  min %8s  session %8s  rss %6s\n' "$name" "$side" \
        "$(field median_ms "$file.flat")" "$(field min_ms "$file.flat")" \
        "$(field session_ms "$file.flat")" "$(field peak_rss_mb "$file.flat")"
    done
  done
done
