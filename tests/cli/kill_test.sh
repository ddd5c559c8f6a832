#!/usr/bin/env bash
# Surviving kills: pretrain killed with SIGKILL at random moments (several seeds; checkpoint
# writes slowed down so kills land inside them), rerun until done, ends with the same weights as
# an uninterrupted run, and no checkpoint ever looks complete without being complete; SIGINT and
# SIGTERM make it write a checkpoint and exit cleanly; shard_corpus and finetune killed midway
# leave nothing that looks complete and finish on a rerun.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BUILD_VOCAB=$(bin tokenizer/build_vocab)
SHARD=$(bin corpus/shard_corpus)
PRETRAIN=$(bin train/pretrain)
FINETUNE=$(bin glue/finetune)
INSPECT=$(bin corpus/inspect)
BOOK=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt
"$BUILD_VOCAB" --input=$BOOK --output="$TMP/vocab.txt" --vocab_size=1500 2>/dev/null
"$SHARD" --input=$BOOK --vocab="$TMP/vocab.txt" --output_dir="$TMP/shards" 2>/dev/null
ARGS=(--data="$TMP/shards/*.tfrecord*" --size=tiny --steps=10 --batch_size=8 --warmup_steps=2 --save_every=1 --keep=1
      --log_every=1 --threads=1 --device=cpu)
final=checkpoints/step-00000010/discriminator/model.safetensors

expect_ok "uninterrupted run" "$PRETRAIN" "${ARGS[@]}" --output_dir="$TMP/ref"

# Every step-* directory (not a .tmp-) must be complete and valid, its checksums included.
all_complete() {
  local dir="$1/checkpoints" bad=0
  for d in "$dir"/step-*; do
    [ -e "$d" ] || continue
    case "$d" in *.tmp-*) continue ;; esac
    for f in DONE manifest.json training_state.json optimizer.safetensors rng.safetensors discriminator/model.safetensors generator/model.safetensors; do
      if [ "$f" = DONE ]; then [ -e "$d/$f" ]; else [ -s "$d/$f" ]; fi || { echo "incomplete: $d lacks $f"; bad=1; }
    done
    # And every file matches its manifest.
    "$INSPECT" "$d" >/dev/null 2>"$TMP/inspect.err" || { echo "does not verify: $(cat "$TMP/inspect.err")"; bad=1; }
  done
  return $bad
}

# Seeds 1-3 slow checkpoint writes so that kills land inside them; seed 4 does not, so kills land
# in pruning (deleting old checkpoints) as often as in writing.
for seed in 1 2 3 4; do
  RANDOM=$seed
  delay=40 tenths=9
  [ $seed = 4 ] && delay=0 tenths=4
  run="$TMP/kill$seed"
  kills=0
  for attempt in $(seq 1 40); do
    ELECTRA_CHECKPOINT_DELAY_MS=$delay "$PRETRAIN" "${ARGS[@]}" --output_dir="$run" >/dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % tenths + 1))$((RANDOM % 10))"
    if kill -0 $pid 2>/dev/null; then
      kill -9 $pid 2>/dev/null
      wait $pid 2>/dev/null
      kills=$((kills + 1))
      all_complete "$run" >"$TMP/complete.log" || { fail "seed $seed: $(cat "$TMP/complete.log")"; break; }
    else
      wait $pid
      break
    fi
  done
  # Finish (or confirm finished) without interference.
  "$PRETRAIN" "${ARGS[@]}" --output_dir="$run" >/dev/null 2>&1
  [ "$kills" -gt 0 ] && pass "seed $seed: killed $kills times, checkpoints always complete" || fail "seed $seed: never killed"
  expect_eq "seed $seed: same final weights as the uninterrupted run" \
    "$(cmp -s "$TMP/ref/$final" "$run/$final" && echo same)" same
done

# SIGTERM and SIGINT: a checkpoint at the current step, a clear message, exit code 130; resume.
for sig in TERM INT; do
  run="$TMP/sig$sig"
  ELECTRA_CHECKPOINT_DELAY_MS=0 "$PRETRAIN" "${ARGS[@]}" --save_every=100 --output_dir="$run" >/dev/null 2>"$TMP/sig.err" &
  pid=$!
  for _ in $(seq 1 100); do grep -q "pretrain step 2/" "$TMP/sig.err" && break; sleep 0.1; done
  kill -$sig $pid
  wait $pid
  rc=$?
  expect_eq "SIG$sig exits with 130" "$rc" 130
  grep -q "stopped by SIG$sig after step [0-9]*; checkpoint .* is complete" "$TMP/sig.err" && pass "SIG$sig message" || fail "SIG$sig message: $(tail -2 "$TMP/sig.err")"
  step=$(grep -o "after step [0-9]*" "$TMP/sig.err" | grep -o "[0-9]*$")
  [ -f "$run/checkpoints/$(printf 'step-%08d' "$step")/DONE" ] && pass "SIG$sig checkpoint at step $step" || fail "no checkpoint at step $step"
  "$PRETRAIN" "${ARGS[@]}" --save_every=100 --output_dir="$run" >/dev/null 2>&1
  expect_eq "after SIG$sig the resumed run ends identical" "$(cmp -s "$TMP/ref/$final" "$run/$final" && echo same)" same
done

# shard_corpus killed midway: no shard or spec under a final name; a rerun completes.
big="$TMP/big.txt"
for i in $(seq 1 15); do cat data/corpus/gutenberg/*.txt; done >"$big"  # 100 MB: several seconds
"$SHARD" --input="$big" --vocab="$TMP/vocab.txt" --output_dir="$TMP/kshards" --num_shards=4 >/dev/null 2>&1 &
pid=$!
# Kill once it is writing (a temporary shard exists), so the kill lands mid-write on any machine.
for _ in $(seq 1 200); do ls "$TMP/kshards" 2>/dev/null | grep -q '\.tmp-' && break; sleep 0.05; done
sleep 0.2
kill -0 $pid 2>/dev/null && pass "shard_corpus killed while writing" || fail "shard_corpus finished before the kill"
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
left=$(ls "$TMP/kshards" 2>/dev/null | grep -v '\.tmp-' | wc -l)
expect_eq "killed shard_corpus leaves no final-named file" "$left" 0
expect_ok "rerun completes" "$SHARD" --input="$big" --vocab="$TMP/vocab.txt" --output_dir="$TMP/kshards" --num_shards=4
expect_eq "and leaves no temporary files" "$(ls "$TMP/kshards" | grep -c '\.tmp-')" 0

# finetune killed midway: the run has no DONE; a rerun redoes it and finishes.
MODEL="$TMP/ref/checkpoints/step-00000010/discriminator"
FT=(--task=SST-2 --data_dir=data/glue --model="$MODEL" --output_dir="$TMP/ft" --train_limit=3000 --dev_limit=50 --test_limit=20 --threads=1)
"$FINETUNE" "${FT[@]}" >/dev/null 2>&1 &
pid=$!
sleep 2
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
[ ! -e "$TMP/ft/SST-2/run-0/DONE" ] && pass "a killed fine-tuning run is not marked done" || fail "DONE after kill"
expect_ok "rerun finishes it" "$FINETUNE" "${FT[@]}" --train_limit=200
[ -e "$TMP/ft/SST-2/run-0/DONE" ] && [ -s "$TMP/ft/SST-2/run-0/metrics.json" ] && pass "finished after rerun" || fail "not finished"
finish
