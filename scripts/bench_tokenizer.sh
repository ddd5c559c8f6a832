#!/usr/bin/env bash
# Tokenizer throughput: HF tokenizers (one thread) against `encode --threads=1` (and 2) on the
# same multi-megabyte text in one run; checks the ids are identical and prints the ratio.
#   scripts/bench_tokenizer.sh [TEXT_FILE]   (default: the bundled books concatenated, 6.7 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
bazel build -c opt //tokenizer:encode >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
input="${1:-}"
if [ -z "$input" ]; then
  input="$work/books.txt"
  cat data/corpus/gutenberg/*.txt >"$input"
fi
vocab=data/vocab/bert-base-uncased-vocab.txt
bytes=$(stat -c %s "$input")

hf=$(RAYON_NUM_THREADS=1 RAYON_RS_NUM_CPUS=1 TOKENIZERS_PARALLELISM=false \
     node scripts/reference/hf_encode.js "$vocab" "$input" "$work/hf.ids" 2>&1 >/dev/null | tail -1)
hf_s=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['seconds'])" "$hf")

best() {  # best of 3 wall-clock runs of encode with $1 threads
  local b=999999
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    ./bazel-bin/tokenizer/encode --vocab=$vocab --input="$input" --threads="$1" >"$work/ours.ids" 2>/dev/null
    e=$(date +%s.%N)
    b=$(python3 -c "print(min($b, $e - $s))")
  done
  echo "$b"
}
ours1=$(best 1)
ours2=$(best 2)
if cmp -s "$work/hf.ids" "$work/ours.ids"; then same="identical"; else same="DIFFERENT"; fi
python3 - "$bytes" "$hf_s" "$ours1" "$ours2" "$same" "$(nproc)" <<'PY'
import sys
b, hf, o1, o2, same, cores = int(sys.argv[1]), *map(float, sys.argv[2:5]), sys.argv[5], sys.argv[6]
mb = b / 1e6
print(f"text: {mb:.1f} MB; ids {same}; machine: {cores} cores")
print(f"| tokenizer | threads | seconds | MB/s | vs HF |")
print(f"|---|---|---|---|---|")
print(f"| HF tokenizers 0.23 (Node binding) | 1 | {hf:.3f} | {mb/hf:.1f} | 1.0x |")
print(f"| encode (whole process) | 1 | {o1:.3f} | {mb/o1:.1f} | {hf/o1:.1f}x |")
print(f"| encode (whole process) | 2 | {o2:.3f} | {mb/o2:.1f} | {hf/o2:.1f}x |")
if same != "identical":
    sys.exit("ids differ from HF tokenizers")
PY
