#!/usr/bin/env bash
# Does ELECTRA-Small learn as the official code does, and does it pay off on GLUE? One device call
# (at most 9 minutes on an H200) after scripts/gpu_bundle.sh:
#   1. build and run the GPU tests (scripts/gpu_check.sh --stages=test);
#   2. pretrain ELECTRA-Small with the official schedule (batch 128, lr 5e-4, warmup 10,000 of
#      1M steps) on the bundled books and WikiText-2 minus a held-out book, stopping with --stop_at
#      after as many steps as fit (at least 5,000 at the measured 37 steps/s), logging every 250;
#   3. score the checkpoints at 1,000, 2,500, 5,000 and the last on the held-out book
#      (score_checkpoint: disc_loss / H(p), AUC, precision, recall);
#   4. fine-tune the last checkpoint and its untrained initialisation (the same run's step 0: one
#      step at learning rate 0) with the official recipe on the full training sets of CoLA, SST-2,
#      MRPC, STS-B and RTE, one seed, all ten runs at once on the one GPU;
#   5. print one summary table and write it to $OUT (at most 8 files come back).
#
#   scripts/gpu_quality.sh [--out=DIR] [--stop_at=6000] [--size=small] [--device=cuda] [--bin=DIR]
#       [--budget_s=540] [--finetune_args="..."] [--skip_build]
# A CPU dry run with tiny budgets (what CI-less checking can do without a GPU):
#   scripts/gpu_quality.sh --skip_build --bin=bazel-bin --size=tiny --device=cpu --stop_at=60 \
#       --score_steps=20,40 --finetune_args="--train_limit=64 --dev_limit=64 --epochs=1 --threads=1"
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/gpu_quality}"
stop_at=6000
size=small
device=cuda
bin=""
budget_s=540
finetune_args=""
skip_build=0
score_steps=1000,2500,5000
for arg in "$@"; do
  case "$arg" in
    --out=*) out="${arg#*=}" ;;
    --stop_at=*) stop_at="${arg#*=}" ;;
    --size=*) size="${arg#*=}" ;;
    --device=*) device="${arg#*=}" ;;
    --bin=*) bin="${arg#*=}" ;;
    --budget_s=*) budget_s="${arg#*=}" ;;
    --finetune_args=*) finetune_args="${arg#*=}" ;;
    --score_steps=*) score_steps="${arg#*=}" ;;
    --skip_build) skip_build=1 ;;
    *) echo "gpu_quality.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
start=$(date +%s)
elapsed() { echo $(( $(date +%s) - start )); }
note() { echo "[gpu_quality +$(elapsed)s] $*" | tee -a "$out/summary.txt" >&2; }
fail() { note "FAILED: $*"; exit 1; }
log="$out/details.log"

# 1. Build and GPU tests (gpu_check.sh builds against the wheel's CUDA LibTorch).
if [ "$skip_build" = 0 ]; then
  scripts/gpu_check.sh --out="$out/check" --stages=test >/dev/null 2>>"$log" || fail "build or GPU tests (see details.log)"
  grep -E "GPU tests|build|card" "$out/check/summary.txt" | sed 's/^\[gpu_check [^]]*\] //' | while read -r l; do note "$l"; done
  cp "$out/check/gpu_test.log" "$out/gpu_test.log" 2>/dev/null
  rm -rf "$out/check"
  bin=${bin:-bazel-bin}
fi
bin=${bin:-bazel-bin}
for t in corpus/shard_corpus train/pretrain train/score_checkpoint glue/finetune eval/evaluate; do
  [ -x "$bin/$t" ] || fail "$bin/$t is not built"
done

# 2. Pretraining: the bundled corpus (BERT's vocabulary, as the official model), one book held out.
work=/tmp/gpu_quality_work
rm -rf "$work" && mkdir -p "$work"
heldout=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt
corpus=$(ls data/corpus/gutenberg/*.txt | grep -v Alice | paste -sd,),data/corpus/wikitext-2-raw/wiki.valid.raw
vocab=data/vocab/bert-base-uncased-vocab.txt
"$bin/corpus/shard_corpus" --input="$corpus" --vocab=$vocab --output_dir="$work/shards" --num_shards=8 \
  --threads="$(nproc)" --blank_lines_separate_docs=false 2>>"$log" || fail "sharding the corpus"
"$bin/corpus/shard_corpus" --input="$heldout" --vocab=$vocab --output_dir="$work/heldout" --num_shards=1 \
  --blank_lines_separate_docs=false 2>>"$log" || fail "sharding the held-out book"
note "corpus: $(grep -h '^examples' "$work/shards/"*.pbtxt | head -1), held out: $(basename "$heldout")"
# Official schedule: pretrain's defaults for the size (small: batch 128, lr 5e-4, warmup 10000, 1M steps).
common=(--data="$work/shards/*.tfrecord*" --size="$size" --device="$device" --seed=42)
"$bin/train/pretrain" "${common[@]}" --output_dir="$work/untrained" --stop_at=1 --log_every=1 2>>"$log" \
  || fail "saving the untrained initialisation"
p0=$(date +%s)
"$bin/train/pretrain" "${common[@]}" --output_dir="$work/run" --stop_at="$stop_at" --log_every=250 \
  --save_every=250 --keep=1000 2>"$out/pretrain.log" || { tail -5 "$out/pretrain.log" >&2; fail "pretraining"; }
seconds=$(( $(date +%s) - p0 ))
note "pretrained $stop_at steps in ${seconds}s: $(grep -E "step $stop_at/" "$out/pretrain.log" | tail -1 | cut -c1-150)"
scripts/plot_pretraining.sh "$work/run" "$out/loss_curves.png" 2>>"$log" || note "no loss-curve PNG (gnuplot?)"

# 3. Held-out scores (the same masks and noise for every checkpoint: one seed).
: >"$out/scores.jsonl"
for s in ${score_steps//,/ } "$stop_at"; do
  printf -v dir "%s/run/checkpoints/step-%08d" "$work" "$s"
  [ -d "$dir" ] || continue
  grep -q "\"step\": $s," "$out/scores.jsonl" 2>/dev/null && continue
  "$bin/train/score_checkpoint" --checkpoint="$dir" --data="$work/heldout/*.tfrecord*" --device="$device" \
    --format=json 2>>"$log" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)))" >>"$out/scores.jsonl" \
    || note "scoring step $s failed"
done
"$bin/train/score_checkpoint" --checkpoint="$work/untrained" --data="$work/heldout/*.tfrecord*" --device="$device" \
  --format=json 2>>"$log" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)))" >>"$out/scores.jsonl"

# 4. GLUE: pretrained and untrained, the official recipe, full training sets, one seed; all ten
#    fine-tuning runs at once (small kernels leave the GPU mostly idle; 16 CPU cores feed them).
printf -v last "%s/run/checkpoints/step-%08d/discriminator" "$work" "$stop_at"
untrained="$work/untrained/checkpoints/step-00000001/discriminator"
left=$(( budget_s - $(elapsed) ))
note "fine-tuning with ${left}s of the budget left"
pids=()
for model in pretrained untrained; do
  dir=$([ $model = pretrained ] && echo "$last" || echo "$untrained")
  for task in CoLA SST-2 MRPC STS-B RTE; do
    # shellcheck disable=SC2086
    "$bin/glue/finetune" --task=$task --data_dir=data/glue --model="$dir" --output_dir="$work/glue_$model" \
      --device="$device" --test_limit=0 --seed=42 $finetune_args >>"$work/finetune_${model}_$task.log" 2>&1 &
    pids+=($!)
  done
done
for p in "${pids[@]}"; do wait "$p" || note "a fine-tuning run failed: $(grep -l error "$work"/finetune_*.log | head -3 | xargs -r tail -qn1)"; done
for model in pretrained untrained; do
  "$bin/eval/evaluate" --results_dir="$work/glue_$model" --reference=none --format=json --json="$work/glue_$model.json" \
    >/dev/null 2>>"$log" || note "evaluate ($model) failed"
done

# 5. One summary table.
python3 - "$out" "$work" "$stop_at" "$seconds" >"$out/quality.md" <<'PY'
import json, os, sys
out, work, stop_at, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = [json.loads(l) for l in open(os.path.join(out, "scores.jsonl")) if l.strip()]
print(f"## ELECTRA pretraining, official schedule, {stop_at} steps in {seconds} s; held-out book\n")
print("| step | gen loss | gen acc (most frequent) | disc loss | H(p) | loss / H(p) | AUC (exact) | AUC (tf.metrics) | acc | precision | recall |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in sorted(rows, key=lambda r: r["step"]):
    print(f"| {r['step']} | {r['gen_loss']:.3f} | {r['gen_accuracy']:.3f} ({r['gen_majority_accuracy']:.3f}) | {r['disc_loss']:.3f} | "
          f"{r['disc_base_entropy']:.3f} | {r['disc_loss_ratio']:.3f} | {r['disc_auc']:.3f} | {r['disc_auc_tf']:.3f} | "
          f"{r['disc_accuracy']:.3f} | {r['disc_precision']:.3f} | {r['disc_recall']:.3f} |")
print("| official, step 5000 (google-research/electra#81) | | | 0.359 | 0.421 | 0.85 | | 0.68 | 0.867 | | 0.048 |")
print("\n## GLUE dev, one seed, official fine-tuning recipe, full training sets\n")
tasks = ["CoLA", "SST-2", "MRPC", "STS-B", "RTE"]
print("| model | " + " | ".join(tasks) + " | average |\n|---|" + "---|" * (len(tasks) + 1))
for model in ("pretrained", "untrained"):
    path = os.path.join(work, f"glue_{model}.json")
    if not os.path.exists(path):
        print(f"| {model} | (no results) |")
        continue
    per = json.load(open(path)).get("tasks", {})
    cells, scores = [], []
    for t in tasks:
        s = per.get(t, {}).get("mean")
        cells.append("-" if s is None else f"{s:.2f}")
        if s is not None:
            scores.append(s)
    avg = f"{sum(scores) / len(scores):.2f}" if len(scores) == len(tasks) else "-"
    label = f"pretrained ({stop_at} steps)" if model == "pretrained" else "untrained (same architecture, same fine-tuning)"
    print(f"| {label} | " + " | ".join(cells) + f" | {avg} |")
PY
cat "$out/quality.md" | tee -a "$out/summary.txt"
note "done in $(elapsed)s"
ls "$out" >&2
