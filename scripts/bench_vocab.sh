#!/usr/bin/env bash
# Vocabulary builder against HF tokenizers' WordPieceTrainer (default settings, 30000 tokens):
# both learn from the bundled books except one; both vocabularies then encode held-out text
# (the remaining book and WikiText-2 valid) and the token counts are compared.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
bazel build -c opt //tokenizer:build_vocab //tokenizer:encode >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
train=$(ls data/corpus/gutenberg/*.txt | grep -v Sherlock | paste -sd,)
heldout=(data/corpus/gutenberg/The-Adventures-of-Sherlock-Holmes_1661.txt data/corpus/wikitext-2-raw/wiki.valid.raw)

hf=$(node scripts/reference/hf_train_vocab.js "$train" "$work/hf.txt" 2>&1 | tail -1)
hf_s=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['seconds'])" "$hf")
s=$(date +%s.%N)
./bazel-bin/tokenizer/build_vocab --input="$train" --output="$work/ours.txt" --vocab_size=30000 --threads=1 2>/dev/null
e=$(date +%s.%N)
ours_s=$(python3 -c "print($e - $s)")

echo "training text: $(cat ${train//,/ } | wc -c) bytes; machine: $(nproc) cores"
echo "| vocabulary | tokens | build seconds | held-out tokens (Sherlock Holmes) | held-out tokens (WikiText-2 valid) |"
echo "|---|---|---|---|---|"
for who in hf ours; do
  secs=$([ $who = hf ] && echo "$hf_s" || echo "$ours_s")
  counts=()
  for f in "${heldout[@]}"; do
    counts+=("$(./bazel-bin/tokenizer/encode --vocab="$work/$who.txt" --input="$f" 2>/dev/null | wc -w)")
  done
  name=$([ $who = hf ] && echo "HF WordPieceTrainer (+5 specials)" || echo "build_vocab --threads=1")
  printf "| %s | %s | %.2f | %s | %s |\n" "$name" "$(wc -l <"$work/$who.txt")" "$secs" "${counts[0]}" "${counts[1]}"
  eval "${who}_counts=(${counts[*]})"
done
python3 - "${hf_counts[@]}" "${ours_counts[@]}" <<'PY'
import sys
h1, h2, o1, o2 = map(int, sys.argv[1:])
print(f"ours vs HF tokens: {100*(o1/h1-1):+.3f}% (Sherlock Holmes), {100*(o2/h2-1):+.3f}% (WikiText-2 valid)")
PY
