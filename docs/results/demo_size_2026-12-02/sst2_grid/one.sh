#!/usr/bin/env bash
# usage: one.sh NAME MODEL TASK LIMIT [finetune flags...]
cd "$(dirname "$0")/../../../.."  # the repository root
name=$1 model=$2 task=$3 limit=$4; shift 4
out=work/ft/$name
bazel-bin/glue/finetune --task=$task --data_dir=data/glue --model=$model --output_dir=$out --runs=1 --seed=42 \
  --threads=1 --test_limit=0 --train_limit=$limit "$@" >>work/ft/$name.log 2>&1 || echo FAIL $name
bazel-bin/eval/evaluate --results_dir=$out --reference=none --aggregate=mean --format=json --json=$out.json >/dev/null 2>&1
python3 -c "
import json,sys; d=json.load(open('$out.json')); print('$name', json.dumps(d)[:400])"
