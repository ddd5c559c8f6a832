#!/usr/bin/env bash
# scripts/cpu_recipe.sh at the smallest settings (tiny model, a few steps, two checkpoints, one
# seed of two tasks on small slices): held-out scores, the GLUE-against-minutes table, the curve
# and its PNG exist and parse, with where the curve crosses the untrained line; a rerun keeps every finished fine-tuning run; bad flags fail.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BIN="$(dirname "$(bin train/pretrain)")/.."
W="$TMP/recipe"
ARGS=(--bin="$BIN" --work="$W" --size=tiny --steps=6 --checkpoints=3,6 --seeds=1 --tasks=RTE,STS-B
      --vocab_size=1000 --sst2_limit=0 "--pretrain_args=--warmup_steps=1 --batch_size=8"
      "--finetune_args=--train_limit=24 --dev_limit=40 --epochs=1")
expect_ok "cpu_recipe runs" scripts/cpu_recipe.sh "${ARGS[@]}"

# The table: the untrained row and both checkpoints, with held-out scores and both tasks.
python3 - "$W" <<'PY' && pass "table.md: untrained and both checkpoints, minutes, held-out scores, two tasks" || fail "table.md: $(cat "$W/table.md")"
import json, os, sys
w = sys.argv[1]
rows = [l.split("|")[1:-1] for l in open(os.path.join(w, "table.md")) if l.startswith("| ")]
header, body = [c.strip() for c in rows[0]], [[c.strip() for c in r] for r in rows[1:]]
references = [r for r in body if r[0].startswith("ELECTRA-Small-OWT")]
body = [r for r in body if not r[0].startswith("ELECTRA-Small-OWT")]
assert header[:4] == ["model", "minutes", "held-out disc_loss / H(p)", "AUC"], header
assert header[4:] == ["RTE (acc)", "STS-B (Spearman)", "GLUE avg", "train FLOPs", "held-out MLM acc"], header
# The official and the seed's rows on the same tasks, averaged over them.
assert [r[0].split(",")[1].split("(")[0].strip() for r in references] == ["official", "PyTorch replication"], references
assert references[0][4:7] == ["68.50", "86.80", "77.65"], references
assert [r[0] for r in body] == ["untrained", "step-3", "step-6"], body
# Minutes by the clock: pretrain's own train_seconds at each checkpoint, rising.
for r, step in zip(body[1:], (3, 6)):
    state = json.load(open(os.path.join(w, "run", "checkpoints", f"step-{step:08d}", "training_state.json")))
    assert state["train_seconds"] > 0 and r[1] == f"{state['train_seconds'] / 60:.1f}", (r, state)
    # Training FLOPs by the paper's counting: the same for every step, so step 6 has twice step 3's.
    assert state["train_flops"] > 0 and r[7] == f"{state['train_flops']:.3g}", (r, state)
assert abs(float(body[2][7]) / float(body[1][7]) - 2) < 0.01 and body[0][7] == "0", body
assert body[0][1] == "0" and float(body[1][1]) <= float(body[2][1]), body
for r in body:
    assert 0 < float(r[2]) < 3 and 0 <= float(r[3]) <= 1, r
    for cell in r[4:6]:
        float(cell.split(" ± ")[0])
    assert abs(float(r[6]) - (float(r[4].split(" ± ")[0]) + float(r[5].split(" ± ")[0])) / 2) < 0.006, r
    s = json.load(open(os.path.join(w, "scores", r[0] + ".json")))
    assert abs(s["disc_loss_ratio"] - float(r[2])) < 6e-4, (s, r)
    assert abs(s["gen_accuracy"] - float(r[8])) < 6e-4, (s, r)
curve = [tuple(map(float, l.split())) for l in open(os.path.join(w, "curve.dat"))]
assert [c[0] for c in curve] == [0.0, float(body[1][1]), float(body[2][1])], curve
assert [round(c[1], 2) for c in curve] == [float(r[6]) for r in body], (curve, body)
crossing = open(os.path.join(w, "crossing.txt")).read()
if any(float(r[6]) > float(body[0][6]) for r in body[1:]):
    assert crossing.startswith("measured: pretraining") and "beats the untrained model" in crossing, crossing
else:
    assert crossing.startswith(("EXTRAPOLATED, not measured", "no checkpoint beats")), crossing
PY
grep -q "^crossing: " "$TMP/stdout" && pass "prints where the curve crosses the untrained line" || fail "no crossing line"
if command -v gnuplot >/dev/null; then
  [ "$(head -c 4 "$W/glue_vs_minutes.png" | od -An -c | tr -d ' ')" = "211PNG" ] && pass "glue_vs_minutes.png is a PNG" \
    || fail "glue_vs_minutes.png"
fi
[ -f "$W/run/checkpoints/step-00000003/DONE" ] && [ -f "$W/untrained/checkpoints/step-00000001/DONE" ] \
  && pass "the measured checkpoint and the untrained initialisation are kept" || fail "checkpoints"

# A rerun redoes nothing that finished: the fine-tuning runs keep their files.
before=$(stat -c %Y "$W"/glue/*/*/run-0/DONE | paste -sd,)
sleep 1
expect_ok "rerun" scripts/cpu_recipe.sh "${ARGS[@]}"
expect_eq "rerun keeps every finished fine-tuning run" "$(stat -c %Y "$W"/glue/*/*/run-0/DONE | paste -sd,)" "$before"
expect_eq "six fine-tuning runs (3 models x 2 tasks)" "$(ls -d "$W"/glue/*/*/run-0 | wc -l)" 6

# One fixed generator for every discriminator: two more columns, each the score_checkpoint figures
# of that discriminator with that generator; the step-6 checkpoint with its own generator is
# scored as with the fixed one.
G="$W/run/checkpoints/step-00000006/generator"
expect_ok "rerun with --fixed_generator" scripts/cpu_recipe.sh "${ARGS[@]}" --fixed_generator="$G"
python3 - "$W" <<'PY' && pass "fixed-generator columns match score_checkpoint --generator" || fail "fixed: $(cat "$W/table.md")"
import json, os, sys
w = sys.argv[1]
rows = [[c.strip() for c in l.split("|")[1:-1]] for l in open(os.path.join(w, "table.md")) if l.startswith("| ")]
assert rows[0][-2:] == ["fixed generator: disc_loss / H(p)", "fixed generator: AUC"], rows[0]
for r in rows[1:4]:
    f = json.load(open(os.path.join(w, "scores", r[0] + ".fixed.json")))
    assert f["generator"].endswith("step-00000006/generator"), f
    assert abs(f["disc_loss_ratio"] - float(r[-2])) < 6e-4 and abs(f["disc_auc"] - float(r[-1])) < 6e-4, (f, r)
assert rows[3][-2] == rows[3][2] and rows[3][-1] == rows[3][3], rows[3]  # step-6 with its own generator
PY

# --brown=DIR: the Brown text (get_brown.sh's layout) joins the vocabulary and the pretraining
# shards as its own documents (a blank line between its files); the held-out books stay.
B="$TMP/brown"
mkdir -p "$B/text/pretrain" "$B/text/heldout"
for g in a b; do
  printf 'The quorbelith of genre %s said nothing .\nIt was fine .\n\nA second quorbelith file .\n\n' "$g" >"$B/text/pretrain/brown_$g.txt"
done
echo "Held out ." >"$B/text/heldout/brown_heldout.txt"
expect_error "--brown without get_brown.sh's DONE" "--brown=$B: no $B/text/DONE \\(make it with scripts/get_brown.sh $B\\)" \
  scripts/cpu_recipe.sh --bin="$BIN" --work="$TMP/bad" --brown="$B"
touch "$B/text/DONE"
W2="$TMP/recipe_brown"
expect_ok "cpu_recipe --brown runs" scripts/cpu_recipe.sh --bin="$BIN" --work="$W2" --size=tiny --steps=2 --checkpoints=2 \
  --seeds=1 --tasks=RTE --vocab_size=1000 --sst2_limit=0 --brown="$B" "--pretrain_args=--warmup_steps=1 --batch_size=8" \
  "--finetune_args=--train_limit=16 --dev_limit=16 --epochs=1"
distinct() { grep -o 'from [0-9]* distinct words' "$1/logs/data.log" | grep -o '[0-9]*'; }
[ "$(distinct "$W2")" -gt "$(distinct "$W")" ] && pass "the vocabulary is learnt from Brown too (a word only Brown has)" \
  || fail "distinct words: books $(distinct "$W"), with Brown $(distinct "$W2")"
grep -q "shard_corpus: 4 documents, 6 sentences" "$W2/logs/data.log" && pass "Brown sharded as 4 documents (blank lines separate them)" \
  || fail "brown shards: $(grep shard_corpus "$W2/logs/data.log")"
grep -q "recipe_brown/brown/\*.tfrecord" "$W2/run/checkpoints/step-00000002/training_state.json" \
  && pass "pretraining reads the Brown shards" || fail "no Brown shards in $(cat "$W2/run/checkpoints/step-00000002/training_state.json")"

# --sotu=DIR: the addresses (get_sotu.sh's layout) join the pretraining shards, one document per
# address, and leave the vocabulary as it was (held-out figures stay comparable).
S="$TMP/sotu"
mkdir -p "$S/text/pretrain"
printf 'The zarvosk address opens.\nIt ends.\n\nA second zarvosk address.\n\n' >"$S/text/pretrain/sotu_1790s.txt"
expect_error "--sotu without get_sotu.sh's DONE" "--sotu=$S: no $S/text/DONE \\(make it with scripts/get_sotu.sh $S\\)" \
  scripts/cpu_recipe.sh --bin="$BIN" --work="$TMP/bad" --sotu="$S"
touch "$S/text/DONE"
W3="$TMP/recipe_sotu"
expect_ok "cpu_recipe --sotu runs" scripts/cpu_recipe.sh --bin="$BIN" --work="$W3" --size=tiny --steps=2 --checkpoints=2 \
  --seeds=1 --tasks=RTE --vocab_size=1000 --sst2_limit=0 --sotu="$S" "--pretrain_args=--warmup_steps=1 --batch_size=8" \
  "--finetune_args=--train_limit=16 --dev_limit=16 --epochs=1"
expect_eq "the vocabulary is the books' alone (the addresses do not change it)" "$(md5sum <"$W3/vocab.txt")" "$(md5sum <"$W/vocab.txt")"
grep -q "shard_corpus: 2 documents, 3 sentences" "$W3/logs/data.log" && pass "the addresses sharded as 2 documents" \
  || fail "sotu shards: $(grep shard_corpus "$W3/logs/data.log")"
grep -q "recipe_sotu/sotu/\*.tfrecord" "$W3/run/checkpoints/step-00000002/training_state.json" \
  && pass "pretraining reads the addresses' shards" || fail "no address shards in $(cat "$W3/run/checkpoints/step-00000002/training_state.json")"

expect_error "unknown flag" "unknown argument --stepz=3" scripts/cpu_recipe.sh --stepz=3
expect_error "no typed-in rate any more" "unknown argument --steps_per_second=2" scripts/cpu_recipe.sh --steps_per_second=2
expect_error "a checkpoint past the last step" "--checkpoints=3,9 .* past --steps=6" \
  scripts/cpu_recipe.sh --bin="$BIN" --work="$TMP/bad" --steps=6 --checkpoints=3,9
expect_error "an unknown objective lists the choices" "--objective=bert: choose electra or mlm" \
  scripts/cpu_recipe.sh --bin="$BIN" --work="$TMP/bad" --objective=bert
expect_error "a minute mark that is not a number" "--minutes=5,x: 'x' is not a positive number of minutes" \
  scripts/cpu_recipe.sh --bin="$BIN" --work="$TMP/bad" --minutes=5,x
expect_error "a bad --save_every" "--save_every=0 is not a positive whole number" \
  scripts/cpu_recipe.sh --bin="$BIN" --work="$TMP/bad" --save_every=0
expect_error "a fixed generator that is not there: named, with the log" \
  "scoring untrained with --fixed_generator=$TMP/nowhere failed; see $W/logs/score.log" \
  scripts/cpu_recipe.sh "${ARGS[@]}" --fixed_generator="$TMP/nowhere"
grep -q "nowhere: no such checkpoint directory" "$W/logs/score.log" && pass "the log names the missing directory" \
  || fail "score.log: $(tail -2 "$W/logs/score.log")"
expect_error "tools not built" "$TMP/nobin/tokenizer/build_vocab is not built \\(./scripts/setup.sh && bazel build" \
  scripts/cpu_recipe.sh --bin="$TMP/nobin" --work="$TMP/nobin_work"
finish
