#!/usr/bin/env bash
# usage: run.sh NAME MODEL_DIR LAYER_DECAY LIMIT
cd /work/main
name=$1 model=$2 ld=$3 limit=$4
out=work/dexp/$name
for task in CoLA SST-2 MRPC STS-B RTE; do
  bazel-bin/glue/finetune --task=$task --data_dir=data/glue --model=$model --output_dir=$out --runs=3 --seed=42 \
    --threads=1 --test_limit=0 --train_limit=$limit --layer_decay=$ld >>work/dexp/$name.log 2>&1 || echo FAIL $name $task
done
bazel-bin/eval/evaluate --results_dir=$out --reference=none --aggregate=mean --format=json --json=$out.json >/dev/null
echo done $name
