#!/usr/bin/env bash
# Measures the fine-tuning fidelity options (docs/finetuning.md) on one model: each configuration x
# task x seed with finetune, then a table of mean ± std of the paper's task score per configuration.
#   scripts/finetune_options.sh MODEL_DIR [--work=work/finetune_options] [--tasks=MRPC,STS-B,RTE]
#       [--seeds=3] [--train_limit=N] [--bin=bazel-bin] [-- extra finetune flags]
# Configurations: "seed" (wd 0, mean loss, raw STS-B targets: the PyTorch replication's recipe and
# ours before), each official option added alone (+wd, +sum, +scale), and "official" (all three).
# Two processes at a time, one thread each; finished runs are kept on a rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
model="$1"; shift
work=work/finetune_options
tasks=MRPC,STS-B,RTE
seeds=3
train_limit=""
bin=bazel-bin
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --work=*) work="${1#*=}" ;;
    --tasks=*) tasks="${1#*=}" ;;
    --seeds=*) seeds="${1#*=}" ;;
    --train_limit=*) train_limit="${1#*=}" ;;
    --bin=*) bin="${1#*=}" ;;
    --) shift; extra=("$@"); break ;;
    *) echo "finetune_options.sh: unknown argument $1" >&2; usage ;;
  esac
  shift
done
[ -d "$model" ] || { echo "finetune_options.sh: $model is not a model directory" >&2; exit 1; }
[ -x "$bin/glue/finetune" ] || { echo "finetune_options.sh: $bin/glue/finetune is not built (bazel build -c opt //glue:finetune //eval:evaluate)" >&2; exit 1; }
mkdir -p "$work/logs"
declare -A CONFIGS=(
  [seed]="--weight_decay=0 --loss_reduction=mean --noscale_regression_targets"
  [+wd]="--weight_decay=0.01 --loss_reduction=mean --noscale_regression_targets"
  [+sum]="--weight_decay=0 --loss_reduction=sum --noscale_regression_targets"
  [+scale]="--weight_decay=0 --loss_reduction=mean --scale_regression_targets"
  [official]="--weight_decay=0.01 --loss_reduction=sum --scale_regression_targets"
)
ORDER=(seed +wd +sum +scale official)
limit=()
[ -n "$train_limit" ] && limit=(--train_limit="$train_limit")
jobs=()
for c in "${ORDER[@]}"; do
  for t in ${tasks//,/ }; do
    # The target scale only touches regression: elsewhere +scale is the seed configuration itself.
    [ "$c" = +scale ] && [ "$t" != STS-B ] && continue
    jobs+=("$c:$t")
  done
done
running=0
start=$(date +%s)
for j in "${jobs[@]}"; do
  c=${j%%:*}; t=${j#*:}
  # shellcheck disable=SC2086
  "$bin/glue/finetune" --task="$t" --data_dir=data/glue --model="$model" --output_dir="$work/$c" --runs="$seeds" \
    --seed=42 --threads=1 --test_limit=0 ${CONFIGS[$c]} "${limit[@]+"${limit[@]}"}" "${extra[@]+"${extra[@]}"}" \
    >>"$work/logs/$c.log" 2>&1 || { echo "finetune_options.sh: $c $t failed; see $work/logs/$c.log" >&2; exit 1; } &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait
echo "finetune_options.sh: $(( ($(date +%s) - start) / 60 )) min" >&2
for c in "${ORDER[@]}"; do
  "$bin/eval/evaluate" --results_dir="$work/$c" --reference=none --aggregate=mean --format=json --json="$work/$c.json" >/dev/null
done
python3 - "$work" "$tasks" "${ORDER[@]}" <<'PY' | tee "$work/table.md"
import json, os, sys
work, tasks, configs = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
FLAGS = {"seed": "wd 0, mean, raw", "+wd": "wd 0.01, mean, raw", "+sum": "wd 0, sum, raw",
         "+scale": "wd 0, mean, label/5", "official": "wd 0.01, sum, label/5"}
METRIC = {"CoLA": "MCC", "STS-B": "Spearman"}
print("| configuration | weight decay, loss, STS-B target | " + " | ".join(f"{t} ({METRIC.get(t, 'acc')})" for t in tasks) + " | mean |")
print("|---|---|" + "---|" * (len(tasks) + 1))
for c in configs:
    j = json.load(open(os.path.join(work, c + ".json")))["tasks"]
    if c == "+scale":  # only STS-B was run; the other tasks are the seed configuration's runs
        seed = json.load(open(os.path.join(work, "seed.json")))["tasks"]
        j = {t: (j[t] if t in j else seed.get(t)) for t in tasks if t in j or t in seed}
    cells = [f"{j[t]['mean']:.2f} ± {j[t]['std']:.2f}" if t in j else "-" for t in tasks]
    avg = sum(j[t]["mean"] for t in tasks if t in j) / max(1, sum(t in j for t in tasks))
    print(f"| {c} | {FLAGS[c]} | " + " | ".join(cells) + f" | {avg:.2f} |")
PY
