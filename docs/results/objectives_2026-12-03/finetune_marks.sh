#!/usr/bin/env bash
# Fine-tune (name:checkpoint_dir:model_sub:glue_root) jobs on the recipe's five tasks, two at a time,
# with exactly cpu_recipe.sh's finetune flags (3 seeds, SST-2 on 8000, full dev).
cd "$(dirname "$0")/../../.."  # the repository root
jobs=()
for m in "$@"; do for t in STS-B RTE CoLA SST-2 MRPC; do jobs+=("$m:$t"); done; done
run_job() {
  local name=$1 dir=$2 sub=$3 root=$4 task=$5 limit=()
  [ "$task" = SST-2 ] && limit=(--train_limit=8000)
  bazel-bin/glue/finetune --task="$task" --data_dir=data/glue --model="$dir/$sub" --output_dir="$root/glue/$name" \
    --runs=3 --seed=42 --threads=1 --test_limit=0 "${limit[@]}" >>"$root/logs/finetune_$name.log" 2>&1 || echo "FAIL $name $task"
  echo "$(date +%H:%M:%S) done $name $task"
}
running=0
for j in "${jobs[@]}"; do
  IFS=: read -r name dir sub root task <<<"$j"
  run_job "$name" "$dir" "$sub" "$root" "$task" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait
