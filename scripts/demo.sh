#!/usr/bin/env bash
# The main job on the bundled data, CPU only: builds the tools, learns a WordPiece vocabulary
# from the bundled books and tokenizes them with it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
work="${DEMO_DIR:-work/demo}"
mkdir -p "$work"
echo "== building the tools" >&2
bazel build -c opt //tokenizer:build_vocab //tokenizer:encode 2>&1 | grep -E "ERROR|error:" >&2 || true
books=$(ls data/corpus/gutenberg/*.txt | paste -sd,)
echo "== build_vocab: learning a 30522-token WordPiece vocabulary from $(echo "$books" | tr , '\n' | wc -l) books" >&2
./bazel-bin/tokenizer/build_vocab --input="$books" --output="$work/vocab.txt" --vocab_size=30522 --threads="$(nproc)"
echo "== encode: tokenizing the books with it" >&2
cat data/corpus/gutenberg/*.txt >"$work/books.txt"
./bazel-bin/tokenizer/encode --vocab="$work/vocab.txt" --input="$work/books.txt" --output="$work/books.ids" --threads="$(nproc)"
lines=$(wc -l <"$work/books.ids")
tokens=$(wc -w <"$work/books.ids")
echo "demo: $(wc -c <"$work/books.txt") bytes, $lines lines -> $tokens tokens with $work/vocab.txt ($(wc -l <"$work/vocab.txt") tokens); ids in $work/books.ids"
