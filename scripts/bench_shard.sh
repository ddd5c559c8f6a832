#!/usr/bin/env bash
# Sharder throughput on the bundled books (6.7 MB), 1 and 2 threads, against tokenizing the
# same text with `encode` (the target: shard_corpus takes at most 1.5x encode's time).
# Whole processes, best of 5 wall-clock runs each. encode reads the books concatenated into one
# file; shard_corpus reads the same bytes as the ten book files (each book its own input, as a
# corpus is sharded; with several files it processes whole files in parallel) and, for
# comparison, as the one concatenated file.
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
books=$(ls data/corpus/gutenberg/*.txt | paste -sd,)
echo "| threads | encode s | shard_corpus s (10 files) | shard / encode | shard_corpus s (1 file) | shard / encode |"
echo "|---|---|---|---|---|---|"
for t in 1 2; do
  enc=$(best ./bazel-bin/tokenizer/encode --vocab=$vocab --input="$work/books.txt" --threads=$t --output="$work/ids")
  files=$(best ./bazel-bin/corpus/shard_corpus --input="$books" --vocab=$vocab --output_dir="$work/shards" --num_shards=4 --threads=$t)
  one=$(best ./bazel-bin/corpus/shard_corpus --input="$work/books.txt" --vocab=$vocab --output_dir="$work/shards" --num_shards=4 --threads=$t)
  python3 -c "e=$enc; f=$files; o=$one; print(f'| $t | {e:.3f} | {f:.3f} | {f/e:.2f}x | {o:.3f} | {o/e:.2f}x |')"
done
