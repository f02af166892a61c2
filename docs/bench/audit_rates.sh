#!/usr/bin/env bash
# The dataset audit's two speed rows of docs/performance.md, one after the other (never in parallel:
# they share the cores): (1) the audit's image rate (decoding included, --method none) against the
# batched forward-only rate of the same model on decoded inputs; (2) the audit's reconstructions per
# row against `--neuron all` per neuron. Usage: docs/bench/audit_rates.sh [IMAGES] [RECON_IMAGES]
# (defaults 2000 and 200 synthetic 256x256 JPEGs, made once under ${TMPDIR:-/tmp}). Needs the jar
# (mvn -q package -DskipTests); builtin:alexnet is generated on first use. Not used by the build or tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="${TMPDIR:-/tmp}"
images="${1:-2000}"
recon_images="${2:-200}"
threads="${THREADS:-2}"
model="$HOME/.cache/dnnvis/models/alexnet-v1.onnx"
jar="$here/cli/target/dnnvis.jar"

folder() { # a folder of N synthetic JPEGs, made once
    local dir="$tmp/dnnvis-audit-$1"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        java "$here/testdata/scripts/MakeAuditImages.java" "$dir" "$1" 256 jpg >/dev/null
        touch "$dir/.complete"
    fi
    echo "$dir"
}

"$here/dnnvis" bench builtin:alexnet --layer conv5 --method deconvnet --neuron all --warmup 1 --repeat 3 \
    --threads "$threads" --json > "$tmp/dnnvis-neuron-all.json"
all_ms=$(sed -n 's/.*"median_ms" *: *\([0-9.]*\).*/\1/p' "$tmp/dnnvis-neuron-all.json")
big=$(folder "$images")
small=$(folder "$recon_images")

forward=$(java -cp "$jar" "$here/docs/bench/AuditForwardRate.java" "$model" conv5 16 $((images / 5)) "$threads" \
    | sed -n 's/.* = \([0-9.]*\) images\/s/\1/p')
out="$tmp/dnnvis-audit-rate"
rm -rf "$out"
"$here/dnnvis" audit "$model" --images "$big" --recursive --layer conv5 --method none --batch 16 \
    --threads "$threads" -q -o "$out" > "$tmp/dnnvis-audit-rate.txt"
audit=$(sed -n 's/.*(\([0-9.]*\) images\/s).*/\1/p' "$tmp/dnnvis-audit-rate.txt")
echo "images: audit $audit images/s, forward only $forward images/s, ratio $(awk "BEGIN { printf \"%.3f\", $audit / $forward }")"

rm -rf "$out"
"$here/dnnvis" audit "$model" --images "$small" --recursive --layer conv5 --method deconvnet --batch 16 \
    --threads "$threads" -q -o "$out" > "$tmp/dnnvis-audit-recon.txt"
read -r seconds rows < <(sed -n 's/.*, \([0-9.]*\) s for \([0-9]*\) patches.*/\1 \2/p' "$tmp/dnnvis-audit-recon.txt")
echo "reconstructions: $rows rows in $seconds s = $(awk "BEGIN { printf \"%.2f\", 1000 * $seconds / $rows }") ms per row;" \
    "--neuron all: $(awk "BEGIN { printf \"%.2f\", $all_ms / 256 }") ms per neuron"
