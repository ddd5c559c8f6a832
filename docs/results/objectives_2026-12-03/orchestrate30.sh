#!/bin/bash
# Session 2026-12-03b: ELECTRA resumed from step 2200 to step 4400 (the 30-minute mark), then
# fine-tuning of ELECTRA step 4400 and MLM step 6800 (equal FLOPs) with cpu_recipe's flags.
cd "$(dirname "$0")/../../.."  # the repository root
e=work/objectives/electra m=work/objectives/mlm
scripts/cpu_recipe.sh --objective=electra --work=$e --brown=work/brown --minutes=30 --steps=6400 \
  --checkpoints=6400 --save_every=200 --seeds=3 \
  --pretrain_args="--generator_fraction=0.25 --lr=5e-4 --warmup_steps=1000 --batch_size=64 --stop_at=4400" \
  > work/objectives/electra30.out 2>&1 &
while ! grep -q "fine-tuning" work/objectives/electra30.out; do sleep 10; done
pkill -f "cpu_recipe.sh --objective=electra"; sleep 1; pkill -f bazel-bin/glue/finetune; sleep 5
echo "$(date +%H:%M:%S) stopped electra at fine-tuning"
docs/results/objectives_2026-12-03/finetune_marks.sh \
  step-4400:$e/run/checkpoints/step-00004400:discriminator:$e \
  step-6800:$m/run/checkpoints/step-00006800:generator:$m
echo "$(date +%H:%M:%S) all fine-tuning done"
