#!/usr/bin/env bash
# pretrain end to end on the bundled corpus (tiny model): exact resume, fallback to an older
# checkpoint, that it learns, and the bad-input paths.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BUILD_VOCAB=$(bin tokenizer/build_vocab)
SHARD=$(bin corpus/shard_corpus)
ENCODE=$(bin tokenizer/encode)
PRETRAIN=$(bin train/pretrain)
BOOKS=$(ls data/corpus/gutenberg/*.txt | paste -sd,)
"$BUILD_VOCAB" --input="$BOOKS" --output="$TMP/vocab.txt" --vocab_size=4000 2>/dev/null
"$SHARD" --input="$BOOKS" --vocab="$TMP/vocab.txt" --output_dir="$TMP/shards" --num_shards=2 \
  --blank_lines_separate_docs=false 2>/dev/null
DATA="$TMP/shards/*.tfrecord*"
COMMON=(--data="$DATA" --size=tiny --steps=8 --batch_size=8 --save_every=2 --log_every=2 --threads=1)

# Exact resume: 8 steps in one go == 4 steps, stop, then the same command again.
expect_ok "straight run" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/a"
expect_ok "run stopped at step 4" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/b" --stop_at=4
expect_eq "stop_at leaves step 4 as the newest" "$(ls "$TMP/b/checkpoints" | tail -1)" "step-00000004"
expect_ok "rerun resumes" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/b"
grep -q "resuming from .*step-00000004" "$TMP/stderr" && pass "says where it resumes" || fail "resume message: $(head -2 "$TMP/stderr")"
for f in discriminator/model.safetensors generator/model.safetensors optimizer.safetensors; do
  expect_eq "resumed $f is byte-identical" "$(cmp -s "$TMP/a/checkpoints/step-00000008/$f" "$TMP/b/checkpoints/step-00000008/$f" && echo same)" same
done
expect_ok "a finished run reruns as a no-op" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/b"

# The masked LM alone resumes exactly too, and keeps generator/ only.
expect_ok "mlm: straight run" "$PRETRAIN" "${COMMON[@]}" --objective=mlm --output_dir="$TMP/mlm_a"
expect_ok "mlm: stopped at step 4" "$PRETRAIN" "${COMMON[@]}" --objective=mlm --output_dir="$TMP/mlm_b" --stop_at=4
expect_ok "mlm: resumed" "$PRETRAIN" "${COMMON[@]}" --objective=mlm --output_dir="$TMP/mlm_b"
for f in generator/model.safetensors optimizer.safetensors; do
  expect_eq "mlm: resumed $f is byte-identical" "$(cmp -s "$TMP/mlm_a/checkpoints/step-00000008/$f" "$TMP/mlm_b/checkpoints/step-00000008/$f" && echo same)" same
done
[ ! -e "$TMP/mlm_a/checkpoints/step-00000008/discriminator" ] && grep -q '"ElectraForMaskedLM"' "$TMP/mlm_a/checkpoints/step-00000008/generator/config.json" \
  && pass "mlm checkpoints hold an ElectraForMaskedLM generator/ only" || fail "mlm checkpoint: $(ls "$TMP/mlm_a/checkpoints/step-00000008")"
expect_error "resuming an mlm checkpoint as electra" "step-00000008 was trained with --objective=mlm, not --objective=electra" \
  "$PRETRAIN" "${COMMON[@]}" --steps=8 --output_dir="$TMP/mlm_a"
expect_error "resuming an electra checkpoint as mlm" "step-00000008 was trained with --objective=electra, not --objective=mlm" \
  "$PRETRAIN" "${COMMON[@]}" --objective=mlm --output_dir="$TMP/a"
# --layers deepens (or thins) both towers; a checkpoint of other shapes is an error, not skipped.
expect_ok "--layers=3" "$PRETRAIN" "${COMMON[@]}" --steps=2 --layers=3 --output_dir="$TMP/l3"
for t in discriminator generator; do
  expect_eq "--layers=3: the $t has 3 layers" \
    "$(grep -o '"num_hidden_layers": *[0-9]*' "$TMP/l3/checkpoints/step-00000002/$t/config.json" | grep -o '[0-9]*$')" 3
done
sum_a=$(cat "$TMP/a/checkpoints/"*/*/model.safetensors | md5sum)
expect_error "resuming a 2-layer checkpoint with --layers=3" \
  "step-00000008/discriminator has 2 layers, hidden size 64.*this run builds 3 layers, hidden size 64.*--layers" \
  "$PRETRAIN" "${COMMON[@]}" --layers=3 --output_dir="$TMP/a"
expect_eq "the refused resume leaves the checkpoints as they were" "$(cat "$TMP/a/checkpoints/"*/*/model.safetensors | md5sum)" "$sum_a"
expect_ok "--layers=3: stopped at step 1" "$PRETRAIN" "${COMMON[@]}" --steps=2 --layers=3 --stop_at=1 --output_dir="$TMP/l3b"
expect_ok "--layers=3: resumed with the same flags" "$PRETRAIN" "${COMMON[@]}" --steps=2 --layers=3 --output_dir="$TMP/l3b"
grep -q "resuming from .*step-00000001" "$TMP/stderr" && pass "--layers=3: resumes from step 1" || fail "--layers=3 resume: $(head -2 "$TMP/stderr")"
expect_eq "--layers=3: resumed run is byte-identical" "$(cmp -s "$TMP/l3/checkpoints/step-00000002/discriminator/model.safetensors" "$TMP/l3b/checkpoints/step-00000002/discriminator/model.safetensors" && echo same)" same
expect_ok "--layers=2 on a 2-layer run is its default depth: a finished run reruns as a no-op" "$PRETRAIN" "${COMMON[@]}" --layers=2 --output_dir="$TMP/a"
expect_error "resuming with another generator size" "step-00000008/generator has 2 layers, hidden size 16.*this run builds 2 layers, hidden size 32" \
  "$PRETRAIN" "${COMMON[@]}" --generator_fraction=0.5 --output_dir="$TMP/a"
expect_error "--layers=0" "--layers: must be at least 1" "$PRETRAIN" "${COMMON[@]}" --layers=0 --output_dir="$TMP/l0"
expect_error "unknown objective" "--objective: must be electra .* or mlm" "$PRETRAIN" "${COMMON[@]}" --objective=bert --output_dir="$TMP/xo"

# A damaged newest checkpoint: fall back to the previous one, say so, and still end identical.
expect_ok "run stopped at step 6" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/c" --stop_at=6
opt="$TMP/c/checkpoints/step-00000006/optimizer.safetensors"
head -c $(( $(stat -c %s "$opt") - 7 )) "$opt" >"$opt.cut" && mv "$opt.cut" "$opt"
expect_ok "rerun after damage" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/c"
grep -q "step-00000006 is unusable (.*optimizer.safetensors.*); falling back" "$TMP/stderr" && pass "reports the fallback" || fail "fallback message: $(cat "$TMP/stderr" | head -3)"
grep -q "resuming from .*step-00000004" "$TMP/stderr" && pass "resumes from step 4" || fail "did not resume from step 4"
expect_eq "after fallback the result is identical" "$(cmp -s "$TMP/a/checkpoints/step-00000008/discriminator/model.safetensors" "$TMP/c/checkpoints/step-00000008/discriminator/model.safetensors" && echo same)" same

# Outputs: HF layout, logs.
for f in checkpoints/step-00000008/DONE checkpoints/step-00000008/discriminator/config.json \
         checkpoints/step-00000008/generator/model.safetensors checkpoints/step-00000008/training_state.json metrics.jsonl; do
  [ -s "$TMP/a/$f" ] && pass "has $f" || fail "missing $f"
done
ls "$TMP/a/tensorboard/"events.out.tfevents.* >/dev/null 2>&1 && pass "TensorBoard event file" || fail "no event file"
expect_eq "metrics lines" "$(wc -l <"$TMP/a/metrics.jsonl")" 4
expect_eq "keeps 3 newest + milestones" "$(ls "$TMP/a/checkpoints" | paste -sd' ')" \
  "step-00000001 step-00000002 step-00000004 step-00000006 step-00000008"

# NaN/Inf: skipped and logged, then a clear stop after --max_nonfinite in a row.
expect_ok "a few NaN steps are skipped" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/nan1" --inject_nan_steps=2:4
grep -q '"skipped_steps": 2' "$TMP/nan1/metrics.jsonl" && pass "skipped steps are logged" || fail "skips: $(tail -1 "$TMP/nan1/metrics.jsonl")"
expect_error "persistent NaN stops with advice" "NaN/Inf for 3 steps in a row .*Lower --lr" \
  "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/nan2" --inject_nan_steps=1:100 --max_nonfinite=3 --log_every=1

# Bad input.
expect_error "no shards match" "--data: no files match .*nothing" "$PRETRAIN" --data="$TMP/nothing/*.tfrecord" --output_dir="$TMP/x1" --size=tiny
cp -r "$TMP/shards" "$TMP/bad_shards"
printf '\x00\x00' | dd of="$TMP/bad_shards/pretrain_data.tfrecord-00000-of-00002" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_error "corrupt record names file and offset" "pretrain_data.tfrecord-00000-of-00002.*byte offset|byte offset .*pretrain_data.tfrecord-00000-of-00002" \
  "$PRETRAIN" --data="$TMP/bad_shards/*.tfrecord*" --output_dir="$TMP/x2" --size=tiny --steps=400 --batch_size=64 --shuffle_window=1 --log_every=1000 --save_every=1000
expect_error "output under a file" "--output_dir: " "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/vocab.txt/run"
expect_error "unknown size" "--size: must be tiny, mini, small, base or large" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x3" --size=huge
expect_error "stop_at beyond steps" "--stop_at=9 is beyond --steps=8" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x4" --stop_at=9
expect_error "batch not divisible" "--batch_size=8 must be a multiple of .*--accumulate \(3\)" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x5" --accumulate=3
expect_error "bad mask style" "--mask_style: must be official or bernoulli" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x6" --mask_style=random
# bf16 on the CPU: run where the processor has native bf16, refused (naming what is missing) where not.
if grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo; then
  expect_ok "bf16 on a CPU with native bf16" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x7" --device=cpu --precision=bf16 --steps=2
  grep -q "bf16 autocast on the CPU" "$TMP/stderr" && pass "says it trains in bf16" || fail "no bf16 note: $(head -3 "$TMP/stderr")"
else
  expect_error "bf16 on a CPU without it names the missing capability" \
    "--precision=bf16 needs a CPU with native bf16 .*avx512_bf16 no, amx_bf16 no" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x7" --device=cpu --precision=bf16
  expect_ok "...and runs when emulation is asked for (tests)" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x7" --device=cpu \
    --precision=bf16 --testing_emulated_bf16 --steps=2
fi
expect_error "fp16 on the CPU" "--precision=fp16 needs a CUDA device" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x7b" --device=cpu --precision=fp16
expect_error "unknown precision" "--precision: must be auto, fp32, bf16 or fp16" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x7c" --precision=fp8
expect_error "unknown flag" "Unknown command line flag 'step'" "$PRETRAIN" --step=3
"$BUILD_VOCAB" --input=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt --output="$TMP/other_vocab.txt" --vocab_size=500 2>/dev/null
expect_error "vocabulary mismatch" "made with another vocabulary" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/x8" --vocab="$TMP/other_vocab.txt"
expect_error "different --steps on resume" "belongs to a run of 8 steps" "$PRETRAIN" "${COMMON[@]}" --output_dir="$TMP/a" --steps=16
finish
