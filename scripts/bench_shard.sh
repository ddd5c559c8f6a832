#!/usr/bin/env bash
# Sharder throughput on the bundled books (6.7 MB), 1 and 2 threads, against tokenizing the
# same text with `encode` (the target: shard_corpus takes at most 1.5x encode's time).
# Whole processes, best of 5 wall-clock runs each.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
bazel build -c opt //corpus:shard_corpus //tokenizer:encode >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vocab=data/vocab/bert-base-uncased-vocab.txt
cat data/corpus/gutenberg/*.txt >"$work/books.txt"
bytes=$(stat -c %s "$work/books.txt")
best() {
  local b=999999
  for _ in 1 2 3 4 5; do
    rm -rf "$work/shards"
    local s e
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s.%N)
    b=$(python3 -c "print(min($b, $e - $s))")
  done
  echo "$b"
}
echo "text: $((bytes / 1000)) kB (the bundled books); machine: $(nproc) cores"
echo "| threads | encode s | shard_corpus s | encode MB/s | shard_corpus MB/s | shard / encode |"
echo "|---|---|---|---|---|---|"
for t in 1 2; do
  enc=$(best ./bazel-bin/tokenizer/encode --vocab=$vocab --input="$work/books.txt" --threads=$t --output="$work/ids")
  sh=$(best ./bazel-bin/corpus/shard_corpus --input="$work/books.txt" --vocab=$vocab --output_dir="$work/shards" --num_shards=4 --threads=$t)
  python3 -c "b=$bytes/1e6; e=$enc; s=$sh; print(f'| $t | {e:.3f} | {s:.3f} | {b/e:.1f} | {b/s:.1f} | {s/e:.2f}x |')"
done
