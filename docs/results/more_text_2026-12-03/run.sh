#!/usr/bin/env bash
# Issue 23, item 4: does more text (or another single change) move mini's held-out figures?
# Pretrains ELECTRA mini on the recipe of the objectives runs (docs/results/objectives_2026-12-03:
# batch 64, lr 5e-4, warmup 1000, 1/4 generator, bf16, two processes, a 6400-step schedule) on
# SRC's books, WikiText-2 and Brown shards plus EXTRA's shards, stops after step STOP_AT (keeping
# the schedule), and scores the checkpoints at MARK steps on the held-out books with their own
# generator, as cpu_recipe.sh scores (and on SRC/sotu_heldout when it exists).
#
#   run.sh WORK STOP_AT MARK[,MARK...] [EXTRA_PRETRAIN_FLAG...]
#
# SRC (default work/base) holds vocab.txt and the train/, brown/, heldout/ shards as
# scripts/cpu_recipe.sh --brown builds them; EXTRA (default none) is a comma list of more shard
# globs, e.g. "work/base/sotu/*.tfrecord*" (scripts/get_sotu.sh, sharded with SRC's vocabulary).
# Paths are relative to the repository root. Needs the built tools.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
cd "$(dirname "$0")/../../.."  # the repository root
work=$1 stop_at=$2 marks=$3
shift 3
src=${SRC:-work/base}
for d in vocab.txt train brown heldout; do
  [ -e "$src/$d" ] || { echo "run.sh: no $src/$d (build it as scripts/cpu_recipe.sh --brown does)" >&2; exit 1; }
done
data="$src/train/*.tfrecord*,$src/brown/*.tfrecord*${EXTRA:+,$EXTRA}"
mkdir -p "$work/logs" "$work/scores"
printf -v last "%s/run/checkpoints/step-%08d" "$work" "$stop_at"
[ -f "$last/DONE" ] || scripts/launch.sh --nproc=2 --master_port=$((29500 + RANDOM % 10000)) -- bazel-bin/train/pretrain \
  --data="$data" --size=mini --steps=6400 --batch_size=64 --lr=5e-4 --warmup_steps=1000 --generator_fraction=0.25 \
  --seed=42 --device=cpu --threads=1 --log_every=250 --save_every=200 --keep=100000 --stop_at="$stop_at" \
  --output_dir="$work/run" "$@" 2>>"$work/logs/pretrain.log"
for step in ${marks//,/ }; do
  printf -v d "%s/run/checkpoints/step-%08d" "$work" "$step"
  [ -f "$d/DONE" ] || { echo "run.sh: no complete checkpoint $d" >&2; exit 1; }
  state=$(/usr/bin/python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(f\"{s['train_seconds']/60:.1f} min, {s['train_flops']:.3g} FLOPs\")" "$d/training_state.json")
  [ -s "$work/scores/step-$step.json" ] || bazel-bin/train/score_checkpoint --checkpoint="$d" \
    --data="$src/heldout/*.tfrecord*" --threads=2 --json="$work/scores/step-$step.json" 2>>"$work/logs/score.log"
  echo "step $step ($state), held-out books: $(cat "$work/scores/step-$step.json")"
  if [ -d "$src/sotu_heldout" ]; then
    [ -s "$work/scores/step-$step.sotu.json" ] || bazel-bin/train/score_checkpoint --checkpoint="$d" \
      --data="$src/sotu_heldout/*.tfrecord*" --threads=2 --json="$work/scores/step-$step.sotu.json" 2>>"$work/logs/score.log"
    echo "step $step, held-out addresses: $(cat "$work/scores/step-$step.sotu.json")"
  fi
done
