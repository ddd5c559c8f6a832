#!/usr/bin/env bash
# Full disks and I/O errors: checkpoints and shards written to a small tmpfs fail with a clear
# message, keep the previous checkpoint intact, and never leave a file or checkpoint that looks
# complete but is not. Needs root for `mount -t tmpfs`; otherwise a per-process file-size limit
# (ulimit -f) stands in for the full disk.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BUILD_VOCAB=$(bin tokenizer/build_vocab)
SHARD=$(bin corpus/shard_corpus)
PRETRAIN=$(bin train/pretrain)
BOOK=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt
"$BUILD_VOCAB" --input=$BOOK --output="$TMP/vocab.txt" --vocab_size=1500 2>/dev/null
"$SHARD" --input=$BOOK --vocab="$TMP/vocab.txt" --output_dir="$TMP/shards" 2>/dev/null
ARGS=(--data="$TMP/shards/*.tfrecord*" --size=tiny --batch_size=8 --warmup_steps=2 --log_every=1 --threads=1 --device=cpu)

# The size of one checkpoint, measured.
"$PRETRAIN" "${ARGS[@]}" --steps=1 --output_dir="$TMP/measure" 2>/dev/null
ckpt_kb=$(du -sk "$TMP/measure/checkpoints/step-00000001" | cut -f1)

small="$TMP/small"
mkdir -p "$small"
limited=()
if mount -t tmpfs -o size=$(( ckpt_kb * 3 / 2 ))k tmpfs "$small" 2>/dev/null; then
  mode="tmpfs of $(( ckpt_kb * 3 / 2 )) kB"
  trap 'umount "$small" 2>/dev/null' EXIT
else
  mode="ulimit -f (no permission to mount)"
  limited=(bash -c 'ulimit -f $0; exec "$@"' $(( ckpt_kb * 2 / 3 )))
fi
echo "disk-full mode: $mode; one checkpoint is $ckpt_kb kB"

# Checkpoints: the first fits, the second does not (the first is kept until the second is done).
if [ ${#limited[@]} -eq 0 ]; then
  expect_error "a full disk stops pretraining with a clear message" "No space left on device|cannot write" \
    "$PRETRAIN" "${ARGS[@]}" --steps=6 --save_every=2 --keep=1 --output_dir="$small/run"
  grep -qE "writing checkpoint .* failed: .*previous checkpoints are untouched|cannot write" "$TMP/stderr" \
    && pass "says the previous checkpoint is untouched" || fail "message: $(tail -2 "$TMP/stderr")"
  complete=0
  for d in "$small"/run/checkpoints/step-*; do
    [ -e "$d" ] || continue
    case "$d" in *.tmp-*) fail "a temporary checkpoint directory was left: $d"; continue ;; esac
    [ -f "$d/DONE" ] && complete=$((complete + 1)) || fail "$d looks like a checkpoint but has no DONE"
  done
  [ "$complete" -ge 1 ] && pass "the previous checkpoint survives ($complete complete)" || fail "no complete checkpoint left"
  # The survivor is valid: a run with room resumes from it.
  mkdir -p "$TMP/roomy" && cp -r "$small/run" "$TMP/roomy/"
  expect_ok "resume elsewhere from the surviving checkpoint" "$PRETRAIN" "${ARGS[@]}" --steps=6 --save_every=2 --keep=1 --output_dir="$TMP/roomy/run"
  grep -q "resuming from .*step-0000000[1-6]" "$TMP/stderr" && pass "resumed from the survivor" || fail "resume: $(head -2 "$TMP/stderr")"
  rm -rf "$small/run"
  # Shards: a corpus larger than the disk.
  expect_error "a full disk stops shard_corpus" "No space left on device|cannot write" \
    "$SHARD" --input="$(ls data/corpus/gutenberg/*.txt | paste -sd,)" --vocab="$TMP/vocab.txt" --output_dir="$small/shards" --num_shards=2
else
  expect_error "a write limit stops pretraining with a clear message" "File too large|cannot write" \
    "${limited[@]}" "$PRETRAIN" "${ARGS[@]}" --steps=6 --save_every=2 --keep=1 --output_dir="$small/run"
  expect_error "a write limit stops shard_corpus" "File too large|cannot write" \
    "${limited[@]}" "$SHARD" --input="$(ls data/corpus/gutenberg/*.txt | paste -sd,)" --vocab="$TMP/vocab.txt" --output_dir="$small/shards" --num_shards=2
fi
left=$(ls "$small/shards" 2>/dev/null | wc -l)
expect_eq "no shard or spec left behind" "$left" 0
finish
