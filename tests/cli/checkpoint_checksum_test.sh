#!/usr/bin/env bash
# Checkpoints detect silent damage (issue 15): one changed byte in any kind of checkpoint file, or a
# truncated file, makes the resume fall back to the previous checkpoint, naming the file and what its
# manifest recorded, and the run still ends identical; an old checkpoint without a manifest resumes
# with a note; finetune --model and inspect verify checkpoint and model directories.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BUILD_VOCAB=$(bin tokenizer/build_vocab)
SHARD=$(bin corpus/shard_corpus)
PRETRAIN=$(bin train/pretrain)
FINETUNE=$(bin glue/finetune)
INSPECT=$(bin corpus/inspect)
BOOK=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt
"$BUILD_VOCAB" --input=$BOOK --output="$TMP/vocab.txt" --vocab_size=1500 2>/dev/null
"$SHARD" --input=$BOOK --vocab="$TMP/vocab.txt" --output_dir="$TMP/shards" 2>/dev/null
ARGS=(--data="$TMP/shards/*.tfrecord*" --size=tiny --steps=6 --batch_size=8 --save_every=2 --log_every=2
      --threads=1 --device=cpu)
final=checkpoints/step-00000006/discriminator/model.safetensors
step4=checkpoints/step-00000004

# Changes one byte so that only a checksum can tell: the last byte of a safetensors file (tensor
# data), the last digit of a JSON file (it still parses).
flip() {
  local f="$1" offset byte
  case "$f" in
    *.json)
      offset=$(grep -bo '[0-9]' "$f" | tail -1 | cut -d: -f1)
      byte=$(dd if="$f" bs=1 skip="$offset" count=1 2>/dev/null)
      printf '%s' $(( (byte + 1) % 10 )) | dd of="$f" bs=1 seek="$offset" conv=notrunc 2>/dev/null ;;
    *)
      offset=$(( $(stat -c %s "$f") - 1 ))
      byte=$(tail -c 1 "$f" | od -An -tu1 | tr -d ' ')
      printf "\\$(printf %03o $(( byte ^ 1 )))" | dd of="$f" bs=1 seek="$offset" conv=notrunc 2>/dev/null ;;
  esac
}

same_as_ref() { cmp -s "$TMP/ref/$final" "$1/$final" && echo same; }

expect_ok "uninterrupted run" "$PRETRAIN" "${ARGS[@]}" --output_dir="$TMP/ref"
expect_ok "run stopped at step 4" "$PRETRAIN" "${ARGS[@]}" --output_dir="$TMP/base" --stop_at=4
for f in manifest.json discriminator/manifest.json generator/manifest.json; do
  [ -s "$TMP/base/$step4/$f" ] && pass "checkpoint has $f" || fail "checkpoint lacks $f"
done
grep -q '"manifest": "manifest.json"' "$TMP/base/$step4/training_state.json" && pass "training_state.json names the manifest" \
  || fail "training_state.json: $(tail -3 "$TMP/base/$step4/training_state.json")"
expect_ok "inspect verifies a checkpoint" "$INSPECT" "$TMP/base/$step4"
grep -q "step-00000004: checkpoint, 13 files, [0-9]* bytes: every size and CRC32C matches manifest.json" "$TMP/stdout" \
  && pass "inspect says what it verified" || fail "inspect output: $(cat "$TMP/stdout")"
expect_ok "inspect verifies a model directory" "$INSPECT" "$TMP/base/$step4/discriminator"
grep -q "discriminator: model directory, 4 files" "$TMP/stdout" && pass "model directory: 4 files" || fail "inspect: $(cat "$TMP/stdout")"
expect_ok "inspect verifies every checkpoint of a run" "$INSPECT" "$TMP/base"
expect_eq "one line per checkpoint" "$(grep -c "every size and CRC32C matches" "$TMP/stdout")" "$(ls "$TMP/base/checkpoints" | wc -l)"

# One changed byte in each kind of file: resume falls back to step 3, naming the file, and ends identical.
for f in discriminator/model.safetensors generator/model.safetensors optimizer.safetensors rng.safetensors \
         training_state.json discriminator/config.json generator/config.json; do
  run="$TMP/flip_$(echo "$f" | tr / _)"
  cp -r "$TMP/base" "$run"
  flip "$run/$step4/$f"
  expect_ok "$f: resume after a changed byte" "$PRETRAIN" "${ARGS[@]}" --output_dir="$run"
  grep -Eq "step-00000004 is unusable \(.*step-00000004/$f: CRC32C 0x[0-9a-f]{8} over its [0-9]+ bytes, but its manifest records 0x[0-9a-f]{8}.*\); falling back" "$TMP/stderr" \
    && pass "$f: the fallback names the file and the recorded CRC" || fail "$f: fallback message: $(head -2 "$TMP/stderr")"
  grep -q "resuming from .*step-00000003" "$TMP/stderr" && pass "$f: resumes from step 3" || fail "$f: $(grep resuming "$TMP/stderr")"
  expect_eq "$f: ends identical to the uninterrupted run" "$(same_as_ref "$run")" same
done

# A truncated file: both sizes in the message.
run="$TMP/cut"
cp -r "$TMP/base" "$run"
opt="$run/$step4/optimizer.safetensors"
size=$(stat -c %s "$opt")
head -c $(( size - 7 )) "$opt" >"$opt.cut" && mv "$opt.cut" "$opt"
expect_error "inspect names the truncated file" "optimizer.safetensors is $(( size - 7 )) bytes but its manifest records $size bytes" "$INSPECT" "$run/$step4"
expect_ok "resume after truncation" "$PRETRAIN" "${ARGS[@]}" --output_dir="$run"
grep -q "step-00000004 is unusable (.*optimizer.safetensors is $(( size - 7 )) bytes but its manifest records $size bytes" "$TMP/stderr" \
  && pass "truncation: the fallback names the file and both sizes" || fail "truncation: $(head -2 "$TMP/stderr")"
expect_eq "truncation: ends identical" "$(same_as_ref "$run")" same

# A deleted manifest in a checkpoint that was written with one is damage, not an old checkpoint.
run="$TMP/nomanifest"
cp -r "$TMP/base" "$run"
rm "$run/$step4/manifest.json"
cp -r "$run" "$TMP/nomanifest_copy"
expect_ok "resume after the manifest was deleted" "$PRETRAIN" "${ARGS[@]}" --output_dir="$run"
grep -q "step-00000004 is unusable (.*manifest.json is missing but training_state.json says it was written" "$TMP/stderr" \
  && pass "a deleted manifest makes the checkpoint unusable" || fail "deleted manifest: $(head -2 "$TMP/stderr")"
expect_error "inspect: a deleted manifest is damage too" "$step4/manifest.json is missing but training_state.json says it was written" \
  "$INSPECT" "$TMP/nomanifest_copy/$step4"

# A checkpoint written before manifests (none anywhere, no "manifest" key) resumes with a note.
run="$TMP/old"
cp -r "$TMP/base" "$run"
for d in "$run"/checkpoints/step-*; do
  rm "$d/manifest.json" "$d/discriminator/manifest.json" "$d/generator/manifest.json"
  sed -i '/"manifest": /d' "$d/training_state.json"
done
expect_ok "an old checkpoint without a manifest resumes" "$PRETRAIN" "${ARGS[@]}" --output_dir="$run"
grep -q "resuming from .*step-00000004" "$TMP/stderr" && pass "old checkpoint: resumes from step 4" || fail "old: $(head -2 "$TMP/stderr")"
grep -q "note: .*step-00000004 has no manifest.json (written before checkpoints recorded checksums)" "$TMP/stderr" \
  && pass "old checkpoint: a note on stderr" || fail "old checkpoint note: $(head -2 "$TMP/stderr")"
expect_eq "old checkpoint: ends identical" "$(same_as_ref "$run")" same
expect_ok "inspect accepts an old checkpoint" "$INSPECT" "$run/$step4"
grep -q "no manifest.json .*not verified" "$TMP/stdout" && pass "inspect says it is not verified" || fail "inspect: $(cat "$TMP/stdout")"
cp -r "$run/$step4" "$TMP/old_bad_state"
echo '{"step": 4,' >"$TMP/old_bad_state/training_state.json"
expect_error "inspect names a malformed training state of an old checkpoint" "old_bad_state/training_state.json: not a JSON object" \
  "$INSPECT" "$TMP/old_bad_state"

# finetune --model verifies; an old checkpoint's and an HF-style directory still load.
FT=(--task=SST-2 --data_dir=data/glue --train_limit=40 --dev_limit=16 --test_limit=8 --batch_size=8 --threads=1 --device=cpu)
cp -r "$TMP/base/$step4/discriminator" "$TMP/copied_out"
flip "$TMP/copied_out/model.safetensors"
expect_error "finetune refuses a changed model directory, naming the file" \
  "--model: .*copied_out/model.safetensors: CRC32C 0x[0-9a-f]{8} over its [0-9]+ bytes, but its manifest records" \
  "$FINETUNE" "${FT[@]}" --model="$TMP/copied_out" --output_dir="$TMP/ft_bad"
expect_error "inspect names the changed file of a copied-out model directory" "copied_out/model.safetensors: CRC32C" \
  "$INSPECT" "$TMP/copied_out"
expect_ok "finetune loads an old checkpoint's model directory" "$FINETUNE" "${FT[@]}" --model="$TMP/old/$step4/discriminator" --output_dir="$TMP/ft_old"
grep -q "finetune: note: .*discriminator has no manifest.json" "$TMP/stderr" && pass "finetune notes the missing manifest" \
  || fail "finetune note: $(head -3 "$TMP/stderr")"
cp -r "$TMP/old/$step4/discriminator" "$TMP/hf_style"
expect_ok "finetune loads a directory without a manifest (HF's layout)" "$FINETUNE" "${FT[@]}" --model="$TMP/hf_style" --output_dir="$TMP/ft_hf"
grep -q "manifest" "$TMP/stderr" && fail "no note for an HF directory: $(grep manifest "$TMP/stderr")" || pass "no note for an HF directory"
mkdir -p "$TMP/empty_dir"
expect_error "inspect refuses a directory that is no checkpoint" "neither a checkpoint, a model directory nor a run directory" \
  "$INSPECT" "$TMP/empty_dir"
finish
