#!/usr/bin/env bash
# Fine-tunes a discriminator on every available GLUE task x N runs, prints the GLUE table and
# writes the GLUE server submission.
#   scripts/glue.sh MODEL_DIR [--data_dir=data/glue] [--output_dir=work/glue] [--runs=10]
#                   [--tasks=CoLA,SST-2,MRPC,STS-B,QQP,MNLI,QNLI,RTE,WNLI] [--reference=both]
#                   [-- extra finetune flags, e.g. --train_limit=2000 --device=cuda]
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
model="$1"
shift
data_dir=data/glue
out=work/glue
runs=10   # the seed's protocol (mean of 10 runs); the official numbers are medians of >= 10
tasks=CoLA,SST-2,MRPC,STS-B,QQP,MNLI,QNLI,RTE,WNLI
reference=both   # official (median of >= 10 runs) and seed (mean of 10), each beside our row aggregated its way
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data_dir=*) data_dir="${1#*=}" ;;
    --output_dir=*) out="${1#*=}" ;;
    --runs=*) runs="${1#*=}" ;;
    --tasks=*) tasks="${1#*=}" ;;
    --reference=*) reference="${1#*=}" ;;
    --) shift; extra=("$@"); break ;;
    *) echo "glue.sh: unknown argument $1" >&2; usage ;;
  esac
  shift
done
[ -d "$model" ] || { echo "glue.sh: $model is not a model directory" >&2; exit 1; }
bazel build -c opt //glue:finetune //eval:evaluate //glue:write_tsv >/dev/null 2>&1 || \
  { bazel build -c opt //glue:finetune //eval:evaluate //glue:write_tsv; exit 1; }
mkdir -p "$out/logs"
ran=0
for task in ${tasks//,/ }; do
  if [ ! -f "$data_dir/$task/train.tsv" ]; then
    echo "glue.sh: skipping $task (no $data_dir/$task/train.tsv)" >&2
    continue
  fi
  log="$out/logs/$task.log"
  echo "glue.sh: fine-tuning $task ($runs run(s)); log: $log" >&2
  if ! ./bazel-bin/glue/finetune --task="$task" --data_dir="$data_dir" --model="$model" \
      --output_dir="$out/results" --runs="$runs" "${extra[@]+"${extra[@]}"}" 2> >(tee "$log" | grep -v '^\[finetune' >&2); then
    echo "glue.sh: $task failed; see $log" >&2
    exit 1
  fi
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "glue.sh: no task with training data under $data_dir" >&2; exit 1; }
./bazel-bin/eval/evaluate --results_dir="$out/results" --reference="$reference" | tee "$out/glue_table.md"
./bazel-bin/glue/write_tsv --results_dir="$out/results" --output_dir="$out/submission"
echo "glue.sh: table $out/glue_table.md, results $out/results, submission $out/submission/submission.zip" >&2
