#!/usr/bin/env bash
# The tiny model learns on the bundled corpus in a few hundred CPU steps: the discriminator loss
# falls well below its starting value (ln 2 for an untrained classifier) and the generator's
# masked-token accuracy beats always predicting the most frequent token.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BUILD_VOCAB=$(bin tokenizer/build_vocab)
SHARD=$(bin corpus/shard_corpus)
ENCODE=$(bin tokenizer/encode)
PRETRAIN=$(bin train/pretrain)
BOOKS=$(ls data/corpus/gutenberg/*.txt | paste -sd,)
"$BUILD_VOCAB" --input="$BOOKS" --output="$TMP/vocab.txt" --vocab_size=4000 2>/dev/null
"$SHARD" --input="$BOOKS" --vocab="$TMP/vocab.txt" --output_dir="$TMP/shards" --num_shards=2 \
  --blank_lines_separate_docs=false 2>/dev/null
expect_ok "pretrain tiny for 400 steps" "$PRETRAIN" --data="$TMP/shards/*.tfrecord*" --output_dir="$TMP/run" \
  --size=tiny --steps=400 --warmup_steps=40 --batch_size=32 --log_every=20 --save_every=400
# The majority baseline: the share of the most frequent token among maskable tokens.
cat data/corpus/gutenberg/*.txt | "$ENCODE" --vocab="$TMP/vocab.txt" --threads=2 >"$TMP/ids" 2>/dev/null
baseline=$(python3 -c "
import collections, sys
c = collections.Counter(int(t) for line in open(sys.argv[1]) for t in line.split())
print(max(c.values()) / sum(c.values()))" "$TMP/ids")
python3 - "$TMP/run/metrics.jsonl" "$baseline" <<'PY'
import json, math, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
baseline = float(sys.argv[2])
first, last = rows[0], rows[-1]
print(f"disc_loss: first window {first['disc_loss']:.4f}, last {last['disc_loss']:.4f} (start ln 2 = {math.log(2):.4f})")
print(f"gen_accuracy: last {last['gen_accuracy']:.4f}, most-frequent-token baseline {baseline:.4f}")
ok = True
if not last["disc_loss"] < 0.65 * math.log(2):
    print("FAIL: the discriminator loss did not fall well below its start"); ok = False
if not last["disc_loss"] < first["disc_loss"]:
    print("FAIL: the discriminator loss did not fall after the first window"); ok = False
if not last["gen_accuracy"] > 1.5 * baseline:
    print("FAIL: the generator does not beat the majority baseline"); ok = False
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] && pass "it learns" || fail "it does not learn"
finish
