#!/bin/bash
# Session 2026-12-03c: the 60-minute marks. Two fresh runs whose schedules end just past 60 minutes
# (ELECTRA 9000 steps at ~2.4 steps/s, MLM 14000 at ~3.8), same data, vocabulary and flags as the
# 15/30-minute runs otherwise. Each cpu_recipe is stopped when it reaches fine-tuning (its untrained
# row is already measured); its 60-minute mark is fine-tuned with finetune_marks.sh. ELECTRA goes
# first, fully, so that a session ending early leaves one finished row. Rerunnable: pretrain resumes
# exactly, finetune keeps finished runs, and an objective whose 60-minute mark is already picked and
# scored skips its cpu_recipe.
# Needs the 15/30-minute runs' work/objectives/{electra,mlm} (orchestrate.sh, orchestrate30.sh: their
# vocabulary, shards and untrained checkpoints, and ELECTRA's step 4400 as the fixed generator),
# work/brown (scripts/get_brown.sh) and the built tools.
cd "$(dirname "$0")/../../.."  # the repository root
old=work/objectives new=work/objectives60
for o in electra mlm; do
  [ -f $new/$o/COPIED ] && continue
  for d in vocab.txt train heldout brown untrained; do
    [ -e $old/$o/$d ] || { echo "orchestrate60.sh: no $old/$o/$d (run the 15/30-minute comparison first)" >&2; exit 1; }
  done
  mkdir -p $new/$o && cp -r $old/$o/{vocab.txt,train,heldout,brown,untrained} $new/$o/ && touch $new/$o/COPIED || exit 1
done
stop_at_finetuning() {  # $1: the cpu_recipe output file, $2: its objective, $3: cpu_recipe's pid
  while ! grep -q "fine-tuning" "$1"; do
    kill -0 "$3" 2>/dev/null || { echo "orchestrate60.sh: cpu_recipe ($2) stopped before fine-tuning; see $1" >&2; exit 1; }
    sleep 10
  done
  pkill -f "cpu_recipe.sh --objective=$2"; sleep 1; pkill -f "glue/finetune.*--output_dir=$new/$2/glue"; sleep 5
  echo "$(date +%H:%M:%S) stopped $2 at fine-tuning"
}
mark_step() {  # the checkpoint the 60-minute mark took, from cpu_recipe's minute_marks.txt
  sed -n 's/^60 min: step \([0-9]*\) .*/\1/p' "$1/minute_marks.txt" 2>/dev/null
}
marked() {  # the objective's run reached its 60-minute mark and cpu_recipe scored it
  local s; s=$(mark_step "$1"); [ -n "$s" ] && [ -s "$1/scores/step-$s.json" ]
}
common=(--brown=work/brown --minutes=15,30,60 --save_every=200 --seeds=3)
args="--generator_fraction=0.25 --lr=5e-4 --warmup_steps=1000 --batch_size=64"
e=$new/electra m=$new/mlm
if ! marked $e; then
  scripts/cpu_recipe.sh --objective=electra --work=$e --steps=9000 --checkpoints=9000 "${common[@]}" \
    --fixed_generator=$old/electra/run/checkpoints/step-00004400 --pretrain_args="$args" > $new/electra.out 2>&1 &
  stop_at_finetuning $new/electra.out electra $!
fi
s=$(mark_step $e); [ -n "$s" ] || { echo "orchestrate60.sh: no 60-minute mark in $e/minute_marks.txt" >&2; exit 1; }
printf -v d "%s/run/checkpoints/step-%08d" $e "$s"
docs/results/objectives_2026-12-03/finetune_marks.sh step-$s:$d:discriminator:$e
echo "$(date +%H:%M:%S) electra fine-tuning done"
if ! marked $m; then
  out=$new/mlm.$(date +%s).out  # one log per attempt, so an old attempt's lines cannot stop this one
  scripts/cpu_recipe.sh --objective=mlm --work=$m --steps=14000 --checkpoints=14000 "${common[@]}" \
    --pretrain_args="$args" > "$out" 2>&1 &
  stop_at_finetuning "$out" mlm $!
fi
s=$(mark_step $m); [ -n "$s" ] || { echo "orchestrate60.sh: no 60-minute mark in $m/minute_marks.txt" >&2; exit 1; }
printf -v d "%s/run/checkpoints/step-%08d" $m "$s"
docs/results/objectives_2026-12-03/finetune_marks.sh step-$s:$d:generator:$m
echo "$(date +%H:%M:%S) all fine-tuning done"
