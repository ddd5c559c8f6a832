#!/usr/bin/env bash
# scripts/pipeline.sh end to end at the smallest settings (tiny model, a few steps, one run of two
# tasks): every artifact exists and parses; a rerun skips what is done; a failing step stops the
# pipeline with its message and log path.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BIN="$(dirname "$(bin train/pretrain)")/.."
W="$TMP/work"
ARGS=(--bin_dir="$BIN" --work_dir="$W" --corpus=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt
      --build_vocab_size=1000 --size=tiny --steps=4 --batch_size=8 --warmup_steps=1 --save_every=2 --log_every=1
      --tasks=SST-2,RTE --runs=1 --device=cpu
      "--finetune_args=--train_limit=32 --dev_limit=32 --test_limit=32 --epochs=1 --threads=2")
expect_ok "pipeline runs" scripts/pipeline.sh "${ARGS[@]}"
grep -q "GLUE dev results" "$TMP/stdout" && grep -q "ELECTRA-Small-OWT, official" "$TMP/stdout" \
  && pass "prints the GLUE table beside the official row" || fail "table: $(head -5 "$TMP/stdout")"
grep -q "submission.zip" "$TMP/stdout" && pass "says where the outputs are" || fail "outputs list"

# Every artifact exists and parses.
[ -s "$W/vocab-1000.txt" ] && pass "vocabulary" || fail "vocabulary"
"$BIN/corpus/inspect" "$W"/shards/pretrain_data.tfrecord-* >/dev/null 2>&1 && pass "shards verify" || fail "shards"
ckpt="$W/pretrain/checkpoints/step-00000004"
[ -f "$ckpt/DONE" ] && pass "final checkpoint complete" || fail "no $ckpt/DONE"
python3 - "$ckpt" "$W/pretrain" <<'PY' && pass "checkpoint JSON, safetensors headers and metrics parse" || fail "checkpoint/metrics parse"
import json, os, struct, sys
ckpt, run = sys.argv[1], sys.argv[2]
for d in ("discriminator", "generator"):
    cfg = json.load(open(os.path.join(ckpt, d, "config.json")))
    assert cfg["model_type"] == "electra"
    with open(os.path.join(ckpt, d, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        size = os.path.getsize(f.name)
        end = max(v["data_offsets"][1] for k, v in header.items() if k != "__metadata__")
        assert 8 + n + end == size, (8 + n + end, size)
state = json.load(open(os.path.join(ckpt, "training_state.json")))
assert state["step"] == 4
rows = [json.loads(l) for l in open(os.path.join(run, "metrics.jsonl"))]
assert rows[-1]["step"] == 4 and "disc_loss" in rows[-1]
PY
python3 - "$W/pretrain/tensorboard" <<'PY' && pass "TensorBoard event file: valid TFRecord framing with Event records" || fail "event file"
import glob, struct, sys
POLY = 0x82F63B78
table = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    table.append(c)
def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c = table[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
def masked(c):
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF
files = glob.glob(sys.argv[1] + "/events.out.tfevents.*")
assert files
n = 0
data = open(files[0], "rb").read()
pos = 0
while pos < len(data):
    length = struct.unpack("<Q", data[pos:pos + 8])[0]
    assert struct.unpack("<I", data[pos + 8:pos + 12])[0] == masked(crc32c(data[pos:pos + 8]))
    payload = data[pos + 12:pos + 12 + length]
    assert struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])[0] == masked(crc32c(payload))
    if n == 0:
        assert b"brain.Event:2" in payload
    pos += 16 + length
    n += 1
assert n >= 5, n
PY
[ "$(head -c 8 "$W/pretrain/loss_curves.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] && pass "loss curves PNG" || fail "PNG"
for f in SST-2 RTE; do
  [ -f "$W/glue/results/$f/run-0/DONE" ] && pass "$f fine-tuned" || fail "$f run"
  [ "$(head -1 "$W/glue/submission/$f.tsv")" = "$(printf 'index\tprediction')" ] && pass "$f.tsv" || fail "$f.tsv"
done
unzip -t "$W/glue/submission/submission.zip" >/dev/null && pass "submission.zip" || fail "zip"
python3 -c "import json; json.load(open('$W/glue/results/glue_results.json'))" && pass "results JSON" || fail "results JSON"

# Restartable: a rerun skips what is complete.
expect_ok "rerun" scripts/pipeline.sh "${ARGS[@]}"
grep -q "vocabulary: .* (done)" "$TMP/stderr" && grep -q "shards: .* (done)" "$TMP/stderr" && pass "vocabulary and shards skipped" || fail "skips: $(head -5 "$TMP/stderr")"
grep -q "already done" "$W/logs/finetune_SST-2.log" && pass "finished fine-tuning runs skipped" || fail "finetune skip"
grep -q "already at step 4" "$W/logs/pretrain.log" && pass "pretraining already complete" || fail "pretrain skip: $(cat "$W/logs/pretrain.log" | head -3)"

# An interrupted pretraining resumes: remove the final checkpoint and rerun.
rm -rf "$W/pretrain/checkpoints/step-00000004"
expect_ok "rerun after losing the last checkpoint" scripts/pipeline.sh "${ARGS[@]}"
grep -q "resuming from .*step-00000002" "$W/logs/pretrain.log" && pass "pretraining resumed from step 2" || fail "resume: $(head -3 "$W/logs/pretrain.log")"

# What pretraining bought: the run's untrained initial weights fine-tuned the same way, both rows.
expect_ok "pipeline with --compare_untrained" scripts/pipeline.sh "${ARGS[@]}" --compare_untrained
grep -q "| pretrained (median of runs) |" "$TMP/stdout" && grep -q "| untrained (same architecture, same fine-tuning) (median of runs) |" "$TMP/stdout" \
  && grep -q "| difference (pretrained - untrained (same architecture, same fine-tuning)) |" "$TMP/stdout" \
  && pass "table has pretrained, untrained and difference rows" || fail "table: $(head -8 "$TMP/stdout")"
grep -Eq "Pretraining ended at step 4: disc_loss [0-9.]+ = [0-9.]+ H\(p\) .*AUC [0-9.]+" "$TMP/stdout" \
  && pass "prints the final disc_loss / H(p) and AUC" || fail "no final pretraining figures: $(tail -3 "$TMP/stdout")"
[ -f "$W/untrained/checkpoints/step-00000001/DONE" ] && pass "untrained checkpoint saved" || fail "no untrained checkpoint"
python3 - "$W/untrained/checkpoints/step-00000001/training_state.json" "$W/pretrain/checkpoints/step-00000001/training_state.json" <<'PY' \
  && pass "the untrained model is the same run's step 1 at learning rate 0" || fail "untrained run settings differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["flags"] == b["flags"] and a["total_steps"] == b["total_steps"], (a["flags"], b["flags"])
PY
cmp -s "$W/untrained/checkpoints/step-00000001/discriminator/model.safetensors" \
  "$W/pretrain/checkpoints/step-00000001/discriminator/model.safetensors" \
  && pass "same weights as the pretraining run after its first (lr 0) step" || fail "untrained weights differ from the run's step 1"
for f in SST-2 RTE; do
  [ -f "$W/glue/results_untrained/$f/run-0/DONE" ] && pass "untrained $f fine-tuned" || fail "untrained $f run"
done

# A failing step stops the pipeline with its message and log path.
mkdir -p "$TMP/badglue/RTE"
printf 'index\tsentence1\tsentence2\tlabel\n0\ta\tb\tmaybe\n' >"$TMP/badglue/RTE/train.tsv"
cp data/glue/RTE/dev.tsv "$TMP/badglue/RTE/"
expect_error "a failing step names itself and its log" "step 'finetune_RTE' failed.*|full log: .*finetune_RTE.log" \
  scripts/pipeline.sh "${ARGS[@]}" --glue_dir="$TMP/badglue" --tasks=RTE --work_dir="$TMP/work2"
grep -q "label 'maybe'" "$TMP/stderr" && pass "shows the tool's message" || fail "message: $(cat "$TMP/stderr" | tail -4)"
expect_error "bad flag" "unknown argument --stepz" scripts/pipeline.sh --stepz=3
expect_error "unknown objective" "--objective=bert: choose electra or mlm" scripts/pipeline.sh "${ARGS[@]}" --objective=bert

# BERT's masked LM through the same pipeline: it fine-tunes the checkpoints' generator/ encoder.
expect_ok "pipeline --objective=mlm" scripts/pipeline.sh "${ARGS[@]}" --objective=mlm --tasks=RTE --work_dir="$TMP/mlm"
grep -q "step-00000004/generator" "$TMP/stdout" && pass "the masked LM's encoder is the fine-tuned model" \
  || fail "mlm model: $(grep checkpoints "$TMP/stdout")"
python3 -c "import json; assert json.load(open('$TMP/mlm/pretrain/checkpoints/step-00000004/training_state.json'))['flags']['objective'] == 'mlm'" \
  && pass "the checkpoint records the mlm objective" || fail "objective not recorded: $(head -c 300 "$TMP/mlm/pretrain/checkpoints/step-00000004/training_state.json")"
finish
