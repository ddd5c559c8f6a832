#!/usr/bin/env bash
# scripts/compare_objectives.sh at the smallest settings: both objectives pretrained by
# cpu_recipe.sh with checkpoints picked by minute marks (one reached, one past the run's end), each
# fine-tuned from its own model directory (discriminator/ for ELECTRA, generator/ for the masked
# LM), one table with both, the paper's rows, and the plot.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BIN="$(dirname "$(bin train/pretrain)")/.."
W="$TMP/objectives"
ARGS=(--bin="$BIN" --work="$W" --size=tiny --steps=6 --save_every=3 --minutes=0.0001,500 --seeds=1 --tasks=RTE
      --vocab_size=1000 --sst2_limit=0 --procs=1 "--pretrain_args=--warmup_steps=1 --batch_size=8"
      "--finetune_args=--train_limit=24 --dev_limit=40 --epochs=1")
# The masked LM's schedule is its own (--mlm_steps): 8 steps against ELECTRA's 6.
expect_ok "compare_objectives runs" scripts/compare_objectives.sh "${ARGS[@]}" --mlm_steps=8

python3 - "$W" <<'PY' && pass "table.md: both objectives at the minute marks, FLOPs, held-out figures, the paper's rows" || fail "table.md: $(cat "$W/table.md")"
import json, os, sys
w = sys.argv[1]
rows = [[c.strip() for c in l.split("|")[1:-1]] for l in open(os.path.join(w, "table.md")) if l.startswith("| ")]
header, body = rows[0], rows[1:]
assert header[:3] == ["objective", "model", "minutes"] and header[-3:] == ["GLUE avg", "train FLOPs", "held-out MLM acc"], header
ours = [r for r in body if r[0] in ("electra", "mlm")]
# 0.0001 min: the first checkpoint saved (pretrain also keeps milestone steps, so step 1, 3 or
# whichever came first past the mark); 500 min: past the end, so the last one (step 6; the
# masked LM's step 8).
first = {o: [r[1] for r in ours if r[0] == o][1] for o in ("electra", "mlm")}
last = {"electra": "step-6", "mlm": "step-8"}
assert [(r[0], r[1]) for r in ours] == [(o, m) for o in ("electra", "mlm") for m in ("untrained", first[o], last[o])], ours
assert all(first[o] in ("step-1", "step-3") for o in first), first
for r in ours:
    electra = r[0] == "electra"
    assert (r[3] != "-") == electra and (r[4] != "-") == electra, r  # the masked LM has no discriminator
    assert 0 <= float(r[-1]) <= 1, r
    if r[1] != "untrained":
        state = json.load(open(os.path.join(w, r[0], "run", "checkpoints", f"step-{int(r[1][5:]):08d}", "training_state.json")))
        assert r[-2] == f"{state['train_flops']:.3g}" and state["flags"]["objective"] == r[0], (r, state)
# Each objective's FLOPs are the same for every step: proportional to the step.
for o in ("electra", "mlm"):
    f = [(int(r[1][5:]), float(r[-2])) for r in ours if r[0] == o and r[1] != "untrained"]
    assert abs(f[1][1] / f[0][1] - f[1][0] / f[0][0]) < 0.01, f
paper = [r for r in body if r[0] == "paper"]
assert [r[-3] for r in paper] == ["79.9 (8 tasks)", "75.1 (8 tasks)"] and all(r[-2] == "1.4e+18" for r in paper), paper
PY
grep -q "500 min: step 8 (.* min) short: the run ended first" "$W/mlm/minute_marks.txt" && pass "a minute mark past the run's end is marked short" \
  || fail "minute marks: $(cat "$W/mlm/minute_marks.txt")"
[ -d "$W/mlm/run/checkpoints/step-00000008/generator" ] && [ ! -d "$W/mlm/run/checkpoints/step-00000008/discriminator" ] \
  && pass "the masked LM's checkpoints hold generator/ only" || fail "mlm checkpoint layout"
grep -rq "mlm/run/checkpoints/step-00000008/generator" "$W/mlm/glue/step-8" \
  && pass "the masked LM is fine-tuned from its generator/ directory" || fail "mlm fine-tuning model: $(ls -R "$W/mlm/glue/step-8" | head)"
if command -v gnuplot >/dev/null; then
  [ "$(head -c 4 "$W/glue_vs_minutes.png" | od -An -c | tr -d ' ')" = "211PNG" ] && pass "glue_vs_minutes.png is a PNG" \
    || fail "glue_vs_minutes.png"
fi
expect_error "--objective is not a flag here" "runs both objectives" scripts/compare_objectives.sh --objective=mlm
expect_error "--mlm_steps must be a count" "--mlm_steps=0 is not a positive whole number" scripts/compare_objectives.sh --mlm_steps=0
finish
