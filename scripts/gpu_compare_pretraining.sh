#!/usr/bin/env bash
# Does pretraining help? On a GPU: pretrain ELECTRA-Small on the bundled books for STEPS steps,
# then fine-tune SST-2, CoLA, MRPC, STS-B and RTE from it and from the same model untrained (its
# initial weights), and print both GLUE tables. Uses tools built by scripts/gpu_check.sh (or bazel).
#   scripts/gpu_compare_pretraining.sh [--steps=3000] [--work=/tmp/electra_compare] [--out=DIR] [--bin=bazel-bin]
set -uo pipefail
cd "$(dirname "$0")/.."
steps=3000 work=/tmp/electra_compare out="${OUT:-/tmp/electra_compare/out}" bin=bazel-bin
for arg in "$@"; do
  case "$arg" in
    --steps=*) steps="${arg#*=}" ;;
    --work=*) work="${arg#*=}" ;;
    --out=*) out="${arg#*=}" ;;
    --bin=*) bin="${arg#*=}" ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
mkdir -p "$work" "$out"
t0=$(date +%s)
say() { echo "[compare +$(( $(date +%s) - t0 ))s] $*" | tee -a "$out/compare.txt" >&2; }
vocab=data/vocab/bert-base-uncased-vocab.txt
[ -f "$work/shards/shard_spec-00000-of-00001.pbtxt" ] || "$bin/corpus/shard_corpus" --input="data/corpus/gutenberg/*.txt" \
  --vocab=$vocab --output_dir="$work/shards" --num_shards=4 --threads="$(nproc)" --blank_lines_separate_docs=false --overwrite 2>/dev/null
warmup=$(( steps / 10 ))
"$bin/train/pretrain" --data="$work/shards/*.tfrecord*" --output_dir="$work/pretrained" --size=small --steps="$steps" \
  --warmup_steps="$warmup" --save_every="$steps" --log_every=$(( steps / 6 )) --device=cuda 2>"$out/details.log"
say "pretrained: $(grep "step $steps/$steps" "$out/details.log" | cut -c1-120)"
# The untrained model: one step at learning rate 0 (the schedule starts at 0) saves the initial weights.
"$bin/train/pretrain" --data="$work/shards/*.tfrecord*" --output_dir="$work/random" --size=small --steps=1 --device=cuda 2>/dev/null
printf -v final "step-%08d" "$steps"
for model in pretrained random; do
  dir="$work/$model/checkpoints/$( [ $model = pretrained ] && echo "$final" || echo step-00000001)/discriminator"
  for task in SST-2 CoLA MRPC STS-B RTE; do
    extra=()
    case $task in
      SST-2) extra=(--train_limit=20000 --epochs=1) ;;
      STS-B|RTE) extra=(--epochs=3) ;;
    esac
    "$bin/glue/finetune" --task=$task --data_dir=data/glue --model="$dir" --output_dir="$work/glue_$model" \
      --device=cuda --test_limit=0 "${extra[@]}" 2>>"$out/details.log" || say "finetune $task ($model) failed"
  done
  "$bin/eval/evaluate" --results_dir="$work/glue_$model" --reference=electra-small-owt >"$work/glue_$model.md" 2>/dev/null
  say "GLUE dev, $model ($steps steps):"
  head -5 "$work/glue_$model.md" | tee -a "$out/compare.txt" >&2
done
say "done"
