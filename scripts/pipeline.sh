#!/usr/bin/env bash
# The whole ELECTRA pipeline, chained through files:
#   (build_vocab) -> shard_corpus -> pretrain -> finetune (every GLUE task x runs) -> evaluate -> write_tsv
# Restartable: rerun the same command after an interruption and finished steps are skipped
# (pretraining resumes from its newest checkpoint, finished fine-tuning runs are kept).
#
#   scripts/pipeline.sh [--corpus=FILES] [--vocab=PATH | --build_vocab_size=N] [--size=small]
#       [--steps=N] [--batch_size=B] [--lr=X] [--warmup_steps=N] [--max_seq_length=128]
#       [--glue_dir=data/glue] [--tasks=CoLA,SST-2,...] [--runs=10] [--work_dir=work/pipeline]
#       [--gpus=N] [--device=auto] [--cpu_procs=N] [--seed=42] [--save_every=N] [--log_every=N]
#       [--finetune_args="--train_limit=2000 ..."] [--pretrain_args="..."] [--bin_dir=DIR]
#       [--compare_untrained] [--objective=electra|mlm]
# --objective=mlm pretrains BERT's masked LM alone (one encoder the discriminator's size; the
# official electra_objective=False) and fine-tunes that encoder (the checkpoints' generator/).
# --cpu_procs=N (with --device=cpu; default: one per core) runs pretraining and fine-tuning as N
# data-parallel processes of one thread each (c10d/Gloo), which measured faster than N threads in
# one process (docs/benchmarks.md); --cpu_procs=1 runs one process.
# --bin_dir uses already built tools (DIR/tokenizer/build_vocab, ...) instead of building them.
# --compare_untrained also fine-tunes the same architecture from its untrained initialisation (the
# pretraining run's own initial weights) with the same fine-tuning, and shows both rows and the
# difference: what pretraining bought.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="data/corpus/gutenberg/*.txt,data/corpus/wikitext-2-raw/wiki.valid.raw"
vocab=""
build_vocab_size=30522
size=small
steps=""
batch_size=""
lr=""
warmup_steps=""
max_seq_length=128
glue_dir=data/glue
tasks=CoLA,SST-2,MRPC,STS-B,QQP,MNLI,QNLI,RTE,WNLI
runs=10   # the seed's protocol: 10 fine-tuning runs per task (the official one: median of >= 10)
work=work/pipeline
gpus=0
device=auto
cpu_procs=$(nproc)
seed=42
save_every=1000
log_every=100
finetune_args=""
pretrain_args=""
blank_lines_separate_docs=true
bin_dir=""
compare_untrained=false
objective=electra

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
for arg in "$@"; do
  case "$arg" in
    --corpus=*) corpus="${arg#*=}" ;;
    --vocab=*) vocab="${arg#*=}" ;;
    --build_vocab_size=*) build_vocab_size="${arg#*=}" ;;
    --size=*) size="${arg#*=}" ;;
    --steps=*) steps="${arg#*=}" ;;
    --batch_size=*) batch_size="${arg#*=}" ;;
    --lr=*) lr="${arg#*=}" ;;
    --warmup_steps=*) warmup_steps="${arg#*=}" ;;
    --max_seq_length=*) max_seq_length="${arg#*=}" ;;
    --glue_dir=*) glue_dir="${arg#*=}" ;;
    --tasks=*) tasks="${arg#*=}" ;;
    --runs=*) runs="${arg#*=}" ;;
    --work_dir=*) work="${arg#*=}" ;;
    --gpus=*) gpus="${arg#*=}" ;;
    --device=*) device="${arg#*=}" ;;
    --cpu_procs=*) cpu_procs="${arg#*=}" ;;
    --seed=*) seed="${arg#*=}" ;;
    --save_every=*) save_every="${arg#*=}" ;;
    --log_every=*) log_every="${arg#*=}" ;;
    --finetune_args=*) finetune_args="${arg#*=}" ;;
    --pretrain_args=*) pretrain_args="${arg#*=}" ;;
    --blank_lines_separate_docs=*) blank_lines_separate_docs="${arg#*=}" ;;
    --bin_dir=*) bin_dir="${arg#*=}" ;;
    --compare_untrained) compare_untrained=true ;;
    --objective=*) objective="${arg#*=}" ;;
    -h|--help) usage ;;
    *) echo "pipeline.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$gpus" =~ ^[0-9]+$ ]] || { echo "pipeline.sh: --gpus must be a number" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "pipeline.sh: --runs must be a positive number" >&2; exit 2; }
case "$objective" in electra) model_sub=discriminator ;; mlm) model_sub=generator ;;
  *) echo "pipeline.sh: --objective=$objective: choose electra or mlm" >&2; exit 2 ;; esac
[[ "$cpu_procs" =~ ^[1-9][0-9]*$ ]] || { echo "pipeline.sh: --cpu_procs must be a positive number" >&2; exit 2; }
# Data-parallel CPU processes only where the run is on the CPU; one thread each.
procs=1
[ "$device" = cpu ] && procs=$cpu_procs
cpu_launch=()
if [ "$procs" -gt 1 ]; then
  port=$((29500 + RANDOM % 10000))
  cpu_launch=(scripts/launch.sh --nproc="$procs" --master_port="$port" --)
fi

mkdir -p "$work/logs"
logs="$work/logs"
say() { echo "== pipeline: $*" >&2; }
# run NAME CMD...: runs a step with its log; on failure prints the last lines and the log path.
run() {
  local name="$1"
  shift
  local log="$logs/$name.log"
  if ! "$@" >"$log" 2>&1; then
    echo "pipeline.sh: step '$name' failed:" >&2
    tail -n 5 "$log" | sed 's/^/    /' >&2
    echo "pipeline.sh: full log: $log" >&2
    exit 1
  fi
}

if [ -n "$bin_dir" ]; then
  bin="$bin_dir"
else
  say "building the tools (log $logs/build.log)"
  run build bazel build -c opt //tokenizer:build_vocab //corpus:shard_corpus //train:pretrain //glue:finetune //eval:evaluate //glue:write_tsv
  bin=bazel-bin
fi

# 1. Vocabulary.
if [ -z "$vocab" ]; then
  vocab="$work/vocab-$build_vocab_size.txt"
  if [ -s "$vocab" ]; then
    say "vocabulary: $vocab (done)"
  else
    say "build_vocab: $build_vocab_size tokens from $corpus"
    run build_vocab "$bin/tokenizer/build_vocab" --input="$corpus" --output="$vocab" --vocab_size="$build_vocab_size" --threads="$(nproc)"
  fi
fi
[ -s "$vocab" ] || { echo "pipeline.sh: no vocabulary at $vocab" >&2; exit 1; }

# 2. Shards (complete when the spec file exists).
shards="$work/shards"
if [ -f "$shards/shard_spec-00000-of-00001.pbtxt" ]; then
  say "shards: $shards (done)"
else
  say "shard_corpus: $corpus -> $shards"
  run shard_corpus "$bin/corpus/shard_corpus" --input="$corpus" --vocab="$vocab" --output_dir="$shards" \
    --num_shards=4 --max_seq_length="$max_seq_length" --threads="$(nproc)" --seed="$seed" \
    --blank_lines_separate_docs="$blank_lines_separate_docs" --overwrite
fi

# 3. Pretraining (resumes from its newest checkpoint).
pretrain_dir="$work/pretrain"
flags=(--data="$shards/pretrain_data.tfrecord-*" --output_dir="$pretrain_dir" --size="$size" --seed="$seed"
       --save_every="$save_every" --log_every="$log_every" --device="$device" --objective="$objective")
[ -n "$steps" ] && flags+=(--steps="$steps")
[ -n "$batch_size" ] && flags+=(--batch_size="$batch_size")
[ -n "$lr" ] && flags+=(--lr="$lr")
[ -n "$warmup_steps" ] && flags+=(--warmup_steps="$warmup_steps")
# shellcheck disable=SC2206
[ -n "$pretrain_args" ] && flags+=($pretrain_args)
if [ "$gpus" -gt 1 ]; then
  say "pretrain: $size on $gpus GPUs (data parallel, c10d/NCCL); log $logs/pretrain.rank*.log"
  scripts/launch.sh --nproc="$gpus" -- "$bin/train/pretrain" "${flags[@]}" --device=cuda >"$logs/pretrain.log" 2>&1 || {
    echo "pipeline.sh: step 'pretrain' failed; see $logs/pretrain.log and $logs/pretrain.rank*.log" >&2; tail -n 5 "$logs/pretrain.log" >&2; exit 1; }
else
  say "pretrain: $size$([ "$procs" -gt 1 ] && echo " on $procs CPU processes") (log $logs/pretrain.log; progress below)"
  [ "$procs" -gt 1 ] && flags+=(--threads=1)
  if ! "${cpu_launch[@]+"${cpu_launch[@]}"}" "$bin/train/pretrain" "${flags[@]}" \
      2> >(tee "$logs/pretrain.log" | grep --line-buffered -E "^pretrain" >&2); then
    echo "pipeline.sh: step 'pretrain' failed; see $logs/pretrain.log" >&2
    exit 1
  fi
fi
final=$(ls -d "$pretrain_dir"/checkpoints/step-* 2>/dev/null | grep -v '\.tmp-' | tail -1)
[ -n "$final" ] && [ -f "$final/DONE" ] || { echo "pipeline.sh: no complete checkpoint in $pretrain_dir/checkpoints" >&2; exit 1; }
model="$final/$model_sub"
run plot scripts/plot_pretraining.sh "$pretrain_dir" "$pretrain_dir/loss_curves.png"
# What the discriminator learned, against a constant predictor of the replaced fraction.
learned=$(python3 - "$pretrain_dir/metrics.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = rows[-1]
if "disc_loss_ratio" in r:
    print(f"step {r['step']}: disc_loss {r['disc_loss']:.4f} = {r['disc_loss_ratio']:.3f} H(p) "
          f"(H(p) {r['disc_base_entropy']:.4f}, the loss of a constant predictor), AUC {r['disc_auc']:.3f} (0.5 for a constant predictor)")
PY
)
[ -n "$learned" ] && say "pretraining ended at $learned"

# The untrained baseline: the same run's initial weights (one step at learning rate 0).
untrained_model=""
if [ "$compare_untrained" = true ]; then
  untrained_flags=()
  for f in "${flags[@]}"; do
    case "$f" in --output_dir=*) untrained_flags+=(--output_dir="$work/untrained") ;; *) untrained_flags+=("$f") ;; esac
  done
  untrained_model="$work/untrained/checkpoints/step-00000001/$model_sub"
  if [ ! -f "$work/untrained/checkpoints/step-00000001/DONE" ]; then
    say "untrained baseline: the initial weights of the same run"
    run untrained "${cpu_launch[@]+"${cpu_launch[@]}"}" "$bin/train/pretrain" "${untrained_flags[@]}" --stop_at=1
  fi
fi

# 4. Fine-tuning: every task with training data, N runs each (finished runs are skipped); with
#    --compare_untrained the untrained model's runs go alongside (two processes at once).
results="$work/glue/results"
results_untrained="$work/glue/results_untrained"
ran=0
for task in ${tasks//,/ }; do
  if [ ! -f "$glue_dir/$task/train.tsv" ]; then
    say "finetune $task: skipped (no $glue_dir/$task/train.tsv)"
    continue
  fi
  say "finetune $task: $runs run(s)${untrained_model:+, pretrained and untrained}"
  pid=""
  # On CPU processes, one thread each.
  ft_threads=()
  [ "$procs" -gt 1 ] && ft_threads=(--threads=1)
  if [ -n "$untrained_model" ]; then
    # shellcheck disable=SC2086
    run "finetune_untrained_$task" "$bin/glue/finetune" --task="$task" --data_dir="$glue_dir" --model="$untrained_model" \
      --output_dir="$results_untrained" --runs="$runs" --seed="$seed" --device="$device" \
      "${ft_threads[@]+"${ft_threads[@]}"}" $finetune_args &
    pid=$!
  fi
  # Alone, fine-tuning takes the CPU processes; beside the untrained model's runs, one each.
  ft_launch=()
  [ -z "$untrained_model" ] && [ "$procs" -gt 1 ] && ft_launch=(scripts/launch.sh --nproc="$procs" --master_port=$((port + 1)) --)
  # shellcheck disable=SC2086
  run "finetune_$task" "${ft_launch[@]+"${ft_launch[@]}"}" "$bin/glue/finetune" --task="$task" --data_dir="$glue_dir" --model="$model" \
    --output_dir="$results" --runs="$runs" --seed="$seed" --device="$device" "${ft_threads[@]+"${ft_threads[@]}"}" $finetune_args
  if [ -n "$pid" ] && ! wait "$pid"; then exit 1; fi
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "pipeline.sh: no GLUE task with training data under $glue_dir" >&2; exit 1; }

# 5. Tables and the submission.
baseline=()
[ -n "$untrained_model" ] && baseline=(--baseline_dir="$results_untrained" --label=pretrained
                                      --baseline_label="untrained (same architecture, same fine-tuning)")
run evaluate sh -c '"$0" "$@" > "'"$work/glue/glue_table.md"'"' "$bin/eval/evaluate" --results_dir="$results" \
  --reference=both "${baseline[@]+"${baseline[@]}"}"
run write_tsv "$bin/glue/write_tsv" --results_dir="$results" --output_dir="$work/glue/submission"

echo
echo "GLUE dev results ($size, $(basename "$final")):"
cat "$work/glue/glue_table.md"
[ -n "$learned" ] && echo && echo "Pretraining ended at $learned."
echo
echo "Outputs:"
echo "  checkpoints (HF layout):  $pretrain_dir/checkpoints/  (discriminator: $model)"
echo "  TensorBoard logs:         $pretrain_dir/tensorboard/   (tensorboard --logdir $pretrain_dir/tensorboard)"
echo "  metrics:                  $pretrain_dir/metrics.jsonl"
echo "  loss curves:              $pretrain_dir/loss_curves.png"
echo "  GLUE table:               $work/glue/glue_table.md and $results/glue_results.json"
echo "  GLUE submission:          $work/glue/submission/submission.zip"
echo "  logs:                     $logs/"
