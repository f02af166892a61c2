#!/usr/bin/env bash
# The Spark audit's overhead against the single-machine audit (issue 21): the same audit of COUNT synthetic
# 256x256 JPEGs (testdata/scripts/MakeAuditImages.java) run by 'dnnvis audit' (--engine local), then with
# --engine spark --master local[1] and local[2], ROUNDS times in turn, each a fresh JVM through ./dnnvis.
# Usage (from the repository root, after 'mvn -q package -DskipTests'):
#   docs/bench/spark_overhead.sh [MODEL] [LAYER] [COUNT] [METHOD] [ROUNDS] [WORK_DIR]
#   defaults: builtin:alexnet conv5 2000 none 2 ${TMPDIR:-/tmp}/dnnvis-spark-overhead
# MODEL is an .onnx file or builtin:alexnet|vgg16|resnet50 (generated once by 'dnnvis bench').
# Prints per run: the whole command's wall time, and the times it prints for the images (the first stage)
# and for the patches/reconstructions (the second stage); then the medians and Spark's ratios to local.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-builtin:alexnet}"
layer="${2:-conv5}"
count="${3:-2000}"
method="${4:-none}"
rounds="${5:-2}"
work="${6:-${TMPDIR:-/tmp}/dnnvis-spark-overhead}"
dnnvis="$here/dnnvis"

if [[ "$model" == builtin:* ]]; then
  name="${model#builtin:}"
  cache="${DNNVIS_CACHE:-$HOME/.cache/dnnvis/models}"
  file="$cache/$name-v1.onnx"
  if [ ! -f "$file" ]; then
    "$dnnvis" bench "$model" --layer "$layer" --neuron 0 --warmup 0 --repeat 1 > /dev/null
  fi
  model="$file"
fi
images="$work/images-$count"
if [ ! -f "$images/.complete" ]; then
  (cd "$here" && java testdata/scripts/MakeAuditImages.java "$images" "$count" 256 jpg)
  touch "$images/.complete"
fi

# one run: ENGINE_LABEL, then the audit's extra options; prints "label wall images pictures"
run() {
  local label="$1"
  shift
  local out="$work/out-$label"
  rm -rf "$out"
  local t0 t1 line
  t0=$(date +%s.%N)
  line=$("$dnnvis" audit "$model" --images "$images" --recursive --layer "$layer" --method "$method" \
      -o "$out" "$@" 2> "$work/$label.err" | grep '^time:') || { echo "$label failed: see $work/$label.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  # "time: 12.3 s for the images (162.6 images/s), 1.2 s for 2304 patches ..."
  local img pic
  img=$(sed -n 's/^time: \([0-9.]*\) s for the images.*/\1/p' <<< "$line")
  pic=$(sed -n 's/.*images\/s), \([0-9.]*\) s for.*/\1/p' <<< "$line")
  printf '%s %.1f %s %s\n' "$label" "$(echo "$t1 - $t0" | bc -l)" "$img" "$pic"
}

echo "model $(basename "$model") layer $layer, $count images, --method $method, $rounds rounds; $(nproc) cores"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
results="$work/results.txt"
: > "$results"
printf '%-10s %8s %8s %9s\n' engine wall_s images_s pictures_s
for ((r = 1; r <= rounds; r++)); do
  for engine in local spark1 spark2; do
    case "$engine" in
      local) row=$(run local) ;;
      spark1) row=$(run spark1 --engine spark --master 'local[1]') ;;
      spark2) row=$(run spark2 --engine spark --master 'local[2]') ;;
    esac
    echo "$row" >> "$results"
    # shellcheck disable=SC2086
    printf '%-10s %8s %8s %9s\n' $row
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { awk -v e="$1" -v c="$2" '$1 == e {print $c}' "$results" | median; }
echo "medians (s): engine wall images pictures; ratio to local (wall, images)"
for engine in local spark1 spark2; do
  printf '%-10s %8.1f %8.1f %9.1f   x%.2f  x%.2f\n' "$engine" "$(col "$engine" 2)" "$(col "$engine" 3)" \
      "$(col "$engine" 4)" "$(echo "$(col "$engine" 2) / $(col local 2)" | bc -l)" \
      "$(echo "$(col "$engine" 3) / $(col local 3)" | bc -l)"
done
