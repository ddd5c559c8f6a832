#!/usr/bin/env bash
# Issue 23, item 4: is the mini discriminator's stall near 0.95 H(p) a matter of its size?
# Pretrains ELECTRA with mini's width and LAYERS layers on exactly the data, vocabulary and flags of
# the objectives runs (docs/results/objectives_2026-12-03: batch 64, lr 5e-4, 1/4 generator, bf16,
# two processes), on a STEPS-step schedule with WARMUP warmup steps, stops it (SIGTERM: pretrain
# saves a complete checkpoint) once its training FLOPs pass STOP_FLOPS, and scores the saved
# checkpoint nearest to each FLOPS mark (in FLOPs, either side; cpu_recipe.sh's minute marks take
# the first at or past) on the held-out books with its own generator, as cpu_recipe.sh scores.
#
#   run.sh WORK LAYERS STEPS WARMUP STOP_FLOPS MARK_FLOPS[,MARK_FLOPS...]
#
# SRC (default work/objectives60/mlm) is a cpu_recipe.sh --brown work directory: its vocab.txt,
# train/, brown/ and heldout/ shards are the same for both objectives. WORK and SRC are relative to
# the repository root. Needs the built tools.
set -euo pipefail
[ $# -eq 6 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
cd "$(dirname "$0")/../../.."  # the repository root
work=$1 layers=$2 steps=$3 warmup=$4 stop_flops=$5 marks=$6
src=${SRC:-work/objectives60/mlm}
for d in vocab.txt train brown heldout; do
  [ -e "$src/$d" ] || { echo "run.sh: no $src/$d (run scripts/cpu_recipe.sh --brown=... --work=$src first)" >&2; exit 1; }
done
mkdir -p "$work/logs" "$work/scores"
flags=(--data="$src/train/*.tfrecord*,$src/brown/*.tfrecord*" --size=mini --layers="$layers" --steps="$steps"
       --batch_size=64 --lr=5e-4 --warmup_steps="$warmup" --generator_fraction=0.25 --seed=42 --device=cpu
       --threads=1 --log_every=250 --save_every=200 --keep=100000 --output_dir="$work/run")
newest_flops() {  # training FLOPs of the newest complete checkpoint (0 if none)
  local last
  last=$(ls -d "$work"/run/checkpoints/step-* 2>/dev/null | grep -E '/step-[0-9]{8}$' \
    | while read -r d; do [ -f "$d/DONE" ] && echo "$d"; done | tail -1)
  [ -n "$last" ] && /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['train_flops'])" \
    "$last/training_state.json" || echo 0
}
past() { /usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$1" "$2"; }
if ! past "$(newest_flops)" "$stop_flops"; then
  scripts/launch.sh --nproc=2 --master_port=$((29500 + RANDOM % 10000)) -- bazel-bin/train/pretrain "${flags[@]}" \
    2>>"$work/logs/pretrain.log" &
  launcher=$!
  while kill -0 "$launcher" 2>/dev/null; do
    if past "$(newest_flops)" "$stop_flops"; then
      pkill -TERM -P "$launcher" || true  # the pretrain ranks, launch.sh's children (rank 0 saves)
      break
    fi
    sleep 20
  done
  wait "$launcher" || true
fi
# The checkpoint nearest to each mark, its minutes and FLOPs, and its held-out scores.
/usr/bin/python3 - "$work/run/checkpoints" "$marks" >"$work/marks.tsv" <<'PY'
import json, os, re, sys
root, marks = sys.argv[1], [float(m) for m in sys.argv[2].split(",")]
saved = []
for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
    if re.fullmatch(r"step-[0-9]{8}", name) and os.path.exists(os.path.join(root, name, "DONE")):
        s = json.load(open(os.path.join(root, name, "training_state.json")))
        saved.append((int(name[5:]), s["train_seconds"] / 60, s["train_flops"]))
if not saved:
    sys.exit(f"run.sh: no complete checkpoint in {root}; see the run's logs/pretrain.log")
for m in marks:
    step, minutes, flops = min(saved, key=lambda c: abs(c[2] - m))
    print(f"{m:.3g}\t{step}\t{minutes:.1f}\t{flops:.3g}")
PY
while IFS=$'\t' read -r mark step minutes flops; do
  printf -v d "%s/run/checkpoints/step-%08d" "$work" "$step"
  [ -s "$work/scores/step-$step.json" ] || bazel-bin/train/score_checkpoint --checkpoint="$d" \
    --data="$src/heldout/*.tfrecord*" --threads=1 --json="$work/scores/step-$step.json" 2>>"$work/logs/score.log"
  echo "mark $mark FLOPs: step $step ($minutes min, $flops FLOPs): $(cat "$work/scores/step-$step.json")"
done <"$work/marks.tsv"
