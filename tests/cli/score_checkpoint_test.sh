#!/usr/bin/env bash
# score_checkpoint on held-out shards: the text line and the JSON, determinism for a seed, run
# directories, a fixed generator shared by two discriminators, and the bad-input paths (a
# vocabulary that does not match, empty or corrupt shards, a directory that is not a checkpoint,
# a truncated checkpoint file).
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BUILD_VOCAB=$(bin tokenizer/build_vocab)
SHARD=$(bin corpus/shard_corpus)
PRETRAIN=$(bin train/pretrain)
SCORE=$(bin train/score_checkpoint)
HELDOUT=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt
TRAIN=$(ls data/corpus/gutenberg/*.txt | grep -v Alice | head -3 | paste -sd,)
"$BUILD_VOCAB" --input="$TRAIN" --output="$TMP/vocab.txt" --vocab_size=3000 2>/dev/null
"$SHARD" --input="$TRAIN" --vocab="$TMP/vocab.txt" --output_dir="$TMP/train" --num_shards=2 \
  --blank_lines_separate_docs=false 2>/dev/null
"$SHARD" --input="$HELDOUT" --vocab="$TMP/vocab.txt" --output_dir="$TMP/heldout" --num_shards=1 \
  --blank_lines_separate_docs=false 2>/dev/null
HELD="$TMP/heldout/*.tfrecord*"
COMMON=(--data="$TMP/train/*.tfrecord*" --size=tiny --steps=20 --batch_size=8 --log_every=10 --save_every=10 --threads=1)
"$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/a" 2>/dev/null
"$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/b" --seed=7 2>/dev/null
CKPT="$TMP/a/checkpoints/step-00000020"

expect_ok "scores a checkpoint" "$SCORE" --checkpoint="$CKPT" --data="$HELD" --max_examples=100 --threads=1
line=$(cat "$TMP/stdout")
echo "$line" | grep -Eq "^step 20 \| 100 examples \| gen loss [0-9.]+ \(unigram [0-9.]+\) acc [0-9.]+ \(most frequent token [0-9.]+\) \| disc loss [0-9.]+ H\(p\) [0-9.]+ ratio [0-9.]+ auc [0-9.]+ acc [0-9.]+ \(base [0-9.]+\) precision [0-9.]+ recall [0-9.]+ \| replaced [0-9.]+$" \
  && pass "one line of text" || fail "line: $line"
expect_ok "same seed again" "$SCORE" --checkpoint="$CKPT" --data="$HELD" --max_examples=100 --threads=1
expect_eq "deterministic for a seed" "$(cat "$TMP/stdout")" "$line"
expect_ok "another seed" "$SCORE" --checkpoint="$CKPT" --data="$HELD" --max_examples=100 --seed=2 --threads=1
[ "$(cat "$TMP/stdout")" != "$line" ] && pass "another seed masks and samples differently" || fail "seed ignored"
expect_ok "a run directory means its newest checkpoint" "$SCORE" --checkpoint="$TMP/a" --data="$HELD" --max_examples=100 --threads=1
expect_eq "run directory resolves to step 20" "$(cat "$TMP/stdout")" "$line"

# The masked LM alone (--objective=mlm): a step directory with generator/ only is a checkpoint; its
# generator figures are scored, beside the most frequent token.
"$PRETRAIN" "${COMMON[@]}" --objective=mlm --output_dir="$TMP/mlm" --steps=10 2>/dev/null
expect_ok "scores an mlm step directory (generator/ only)" "$SCORE" --checkpoint="$TMP/mlm/checkpoints/step-00000010" \
  --data="$HELD" --max_examples=50 --threads=1 --format=json
python3 -c "import json,sys; j=json.load(open('$TMP/stdout')); assert j['objective']=='mlm' and j['step']==10 and 'disc_auc' not in j and 0<=j['gen_accuracy']<=1, j" \
  && pass "mlm: generator figures only" || fail "mlm JSON: $(cat "$TMP/stdout")"

expect_ok "JSON on stdout and in a file" "$SCORE" --checkpoint="$CKPT" --data="$HELD" --max_examples=100 --threads=1 \
  --format=json --json="$TMP/score.json"
python3 - "$TMP/stdout" "$TMP/score.json" <<'PY' && pass "JSON fields are consistent" || fail "JSON"
import json, math, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a == b, "stdout and --json differ"
for k in ("gen_loss", "gen_accuracy", "gen_majority_accuracy", "gen_unigram_entropy", "disc_loss", "disc_base_entropy", "disc_loss_ratio",
          "disc_auc", "disc_auc_tf", "disc_accuracy", "disc_precision", "disc_recall", "replaced_fraction"):
    assert k in a, k
p = a["replaced_fraction"]
assert abs(a["disc_base_entropy"] - (-p * math.log(p) - (1 - p) * math.log(1 - p))) < 1e-9
assert abs(a["disc_loss_ratio"] - a["disc_loss"] / a["disc_base_entropy"]) < 1e-9
assert a["examples"] == 100 and a["step"] == 20 and 0 <= a["disc_auc"] <= 1
PY

# A fixed generator: both discriminators see the replacements of run a's generator.
expect_ok "fixed generator" "$SCORE" --checkpoint="$TMP/b" --generator="$CKPT" --data="$HELD" --max_examples=100 \
  --threads=1 --format=json
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['generator'].endswith('a/checkpoints/step-00000020/generator'), j['generator']" \
  "$TMP/stdout" && pass "reports the generator it used" || fail "generator path"
own_b=$("$SCORE" --checkpoint="$TMP/b" --data="$HELD" --max_examples=100 --threads=1 2>/dev/null)
fixed_b=$("$SCORE" --checkpoint="$TMP/b" --generator="$CKPT" --data="$HELD" --max_examples=100 --threads=1 2>/dev/null)
[ "$own_b" != "$fixed_b" ] && pass "another generator makes other replacements" || fail "generator ignored"
gen_a=$(echo "$line" | grep -o "gen loss .* (most")
expect_eq "the fixed generator's own figures are run a's" "$(echo "$fixed_b" | grep -o "gen loss .* (most")" "$gen_a"
expect_ok "a generator model directory" "$SCORE" --checkpoint="$TMP/b" --generator="$CKPT/generator" --data="$HELD" \
  --max_examples=100 --threads=1
expect_eq "generator directory == its checkpoint" "$(cat "$TMP/stdout")" "$fixed_b"

# Bad input.
"$BUILD_VOCAB" --input="$HELDOUT" --output="$TMP/other_vocab.txt" --vocab_size=1500 2>/dev/null
"$SHARD" --input="$HELDOUT" --vocab="$TMP/other_vocab.txt" --output_dir="$TMP/other" --num_shards=1 \
  --blank_lines_separate_docs=false 2>/dev/null
expect_error "shards of another vocabulary" "shards .*other.* were made with the vocabulary .*other_vocab.txt.*checkpoint .*step-00000020" \
  "$SCORE" --checkpoint="$CKPT" --data="$TMP/other/*.tfrecord*"
"$SHARD" --input="$HELDOUT" --vocab=data/vocab/bert-base-uncased-vocab.txt --output_dir="$TMP/bert" --num_shards=1 \
  --blank_lines_separate_docs=false 2>/dev/null
mkdir -p "$TMP/bare"
cp "$TMP/bert/"*.tfrecord* "$TMP/bare/"  # no spec file: only the ids can tell
expect_error "shards without a spec whose ids lie outside the vocabulary" "token id [0-9]+, outside the checkpoint's 3000-token vocabulary" \
  "$SCORE" --checkpoint="$CKPT" --data="$TMP/bare/*.tfrecord*" --threads=1
mkdir -p "$TMP/empty"
: >"$TMP/empty/pretrain_data.tfrecord-00000-of-00001"
expect_error "empty shards" "--data: the shards hold no examples .*empty/pretrain_data.tfrecord-00000-of-00001" "$SCORE" --checkpoint="$CKPT" --data="$TMP/empty/*.tfrecord*"
expect_error "no shards" "--data: no files match" "$SCORE" --checkpoint="$CKPT" --data="$TMP/nothing/*.tfrecord*"
cp -r "$TMP/heldout" "$TMP/corrupt"
printf '\x00\x00\x00' | dd of="$TMP/corrupt/pretrain_data.tfrecord-00000-of-00001" bs=1 seek=300 conv=notrunc 2>/dev/null
expect_error "corrupt shards name the file and offset" "corrupt/pretrain_data.tfrecord-00000-of-00001.*byte offset|byte offset.*corrupt/pretrain_data.tfrecord-00000-of-00001" \
  "$SCORE" --checkpoint="$CKPT" --data="$TMP/corrupt/*.tfrecord*" --threads=1
expect_error "not a checkpoint" "$TMP/heldout is not a checkpoint: expected a step-N directory" \
  "$SCORE" --checkpoint="$TMP/heldout" --data="$HELD"
expect_error "missing checkpoint" "no such checkpoint directory" "$SCORE" --checkpoint="$TMP/none" --data="$HELD"
expect_error "generator that is not a checkpoint" "--generator: .*is not a checkpoint" \
  "$SCORE" --checkpoint="$CKPT" --generator="$TMP/heldout" --data="$HELD"
cp -r "$CKPT" "$TMP/cut"
f="$TMP/cut/discriminator/model.safetensors"
head -c $(( $(stat -c %s "$f") - 100 )) "$f" >"$f.x" && mv "$f.x" "$f"
expect_error "truncated checkpoint file is named" "cut/discriminator/model.safetensors" \
  "$SCORE" --checkpoint="$TMP/cut" --data="$HELD"
expect_error "bad flag" "--format: must be text or json" "$SCORE" --checkpoint="$CKPT" --data="$HELD" --format=xml
expect_error "missing --data" "--data: is required" "$SCORE" --checkpoint="$CKPT"
finish
