#!/usr/bin/env bash
# The CPU pretraining recipe and its measurement (docs/pretraining.md): does an hour of
# pretraining on this 2-core machine give a model that fine-tunes better than the same
# architecture from its untrained initialisation?
#
#   1. an 8000-token vocabulary from the bundled books and WikiText-2, two books held out;
#   2. pretraining with the recipe (--size, --steps, ...), keeping checkpoints along the way;
#   3. held-out scores of each kept checkpoint (score_checkpoint: disc_loss / H(p), AUC);
#   4. GLUE fine-tuning of each kept checkpoint and of the untrained initialisation on CoLA,
#      SST-2, MRPC, STS-B and RTE (official recipe, --seeds seeds each; full dev sets; training
#      slices as --sst2_limit says), two fine-tuning processes at a time, one thread each;
#   5. the table of GLUE against pretraining minutes, and the curve as a PNG.
# Rerunning continues where it stopped (finished steps and runs are kept).
#
#   scripts/cpu_recipe.sh [--work=work/cpu_recipe] [--size=mini] [--steps=8000] [--checkpoints=4000,8000]
#       [--minutes=M,...] [--objective=electra|mlm] [--seeds=3] [--sst2_limit=8000]
#       [--tasks=CoLA,SST-2,MRPC,STS-B,RTE] [--pretrain_args="..."] [--bin=bazel-bin]
#       [--vocab_size=8000] [--finetune_args="..."] [--procs=N] [--fixed_generator=DIR] [--brown=DIR]
#       [--sotu=DIR]
# --brown=DIR adds the Brown corpus (scripts/get_brown.sh DIR: its pretraining files, never the
# held-out or tagging files) to the vocabulary and the pretraining text, about doubling it; the
# held-out books stay the same. Use a fresh --work: an existing vocabulary and shards are kept.
# --sotu=DIR adds the State of the Union addresses (scripts/get_sotu.sh DIR: its pretraining
# files) to the pretraining text only, sharded with the recipe's vocabulary (which it does not
# change, so held-out figures compare with runs without it), one document per address.
# --objective=mlm pretrains BERT's masked LM alone (one encoder the discriminator's size) and
# fine-tunes its generator/ directory: the same recipe for the comparison at equal minutes.
# --minutes=15,30,60 measures checkpoints by the clock instead of by step: pretraining saves every
# --save_every steps (default 100) and each minute mark takes the first checkpoint at or past it
# (the last one, marked "short", if the run ends before); --steps still sets the schedule.
# --fixed_generator=DIR (a checkpoint or generator directory of the same vocabulary) also scores
# every discriminator with that one generator, so that runs are compared on the same replacements
# and a weaker generator cannot flatter its discriminator (two more columns).
# --procs: data-parallel pretraining processes, one thread each (default: one per core, which
# measured faster than threads in one process; docs/benchmarks.md).
# "Minutes" are pretraining minutes by the clock (pretrain records them in each checkpoint), so run
# it alone on the machine: other jobs sharing the cores make them longer.
# --finetune_args go to every finetune (after the recipe's own flags, so they override them).
set -euo pipefail
cd "$(dirname "$0")/.."
work=work/cpu_recipe
size=mini
steps=8000
checkpoints=4000,8000
seeds=3
sst2_limit=8000
tasks=CoLA,SST-2,MRPC,STS-B,RTE
pretrain_args="--generator_fraction=0.25 --lr=5e-4 --warmup_steps=1000"
bin=bazel-bin
vocab_size=8000
finetune_args=""
procs=$(nproc)
objective=electra
minutes=""
save_every=100
fixed_generator=""
brown=""
sotu=""
for arg in "$@"; do
  case "$arg" in
    --work=*) work="${arg#*=}" ;;
    --size=*) size="${arg#*=}" ;;
    --steps=*) steps="${arg#*=}" ;;
    --checkpoints=*) checkpoints="${arg#*=}" ;;
    --seeds=*) seeds="${arg#*=}" ;;
    --sst2_limit=*) sst2_limit="${arg#*=}" ;;
    --tasks=*) tasks="${arg#*=}" ;;
    --pretrain_args=*) pretrain_args="${arg#*=}" ;;
    --bin=*) bin="${arg#*=}" ;;
    --vocab_size=*) vocab_size="${arg#*=}" ;;
    --finetune_args=*) finetune_args="${arg#*=}" ;;
    --procs=*) procs="${arg#*=}" ;;
    --objective=*) objective="${arg#*=}" ;;
    --minutes=*) minutes="${arg#*=}" ;;
    --save_every=*) save_every="${arg#*=}" ;;
    --fixed_generator=*) fixed_generator="${arg#*=}" ;;
    --brown=*) brown="${arg#*=}" ;;
    --sotu=*) sotu="${arg#*=}" ;;
    -h|--help) sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cpu_recipe.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
is_count "$steps" || { echo "cpu_recipe.sh: --steps=$steps is not a positive whole number" >&2; exit 2; }
is_count "$seeds" || { echo "cpu_recipe.sh: --seeds=$seeds is not a positive whole number" >&2; exit 2; }
is_count "$procs" || { echo "cpu_recipe.sh: --procs=$procs is not a positive whole number" >&2; exit 2; }
case "$objective" in electra) model_sub=discriminator ;; mlm) model_sub=generator ;;
  *) echo "cpu_recipe.sh: --objective=$objective: choose electra or mlm" >&2; exit 2 ;; esac
is_count "$save_every" || { echo "cpu_recipe.sh: --save_every=$save_every is not a positive whole number" >&2; exit 2; }
for m in ${minutes//,/ }; do
  [[ "$m" =~ ^[0-9]+(\.[0-9]+)?$ ]] && [ "$m" != 0 ] || { echo "cpu_recipe.sh: --minutes=$minutes: '$m' is not a positive number of minutes" >&2; exit 2; }
done
[ -n "$minutes" ] && checkpoints=$steps  # replaced by the checkpoints the minute marks pick
is_count "$vocab_size" || { echo "cpu_recipe.sh: --vocab_size=$vocab_size is not a positive whole number" >&2; exit 2; }
for c in ${checkpoints//,/ }; do
  is_count "$c" || { echo "cpu_recipe.sh: --checkpoints=$checkpoints: '$c' is not a positive step number" >&2; exit 2; }
  [ "$c" -le "$steps" ] || { echo "cpu_recipe.sh: --checkpoints=$checkpoints has step $c, past --steps=$steps" >&2; exit 2; }
done
[ -n "${checkpoints//,/}" ] || { echo "cpu_recipe.sh: --checkpoints is empty" >&2; exit 2; }
for t in tokenizer/build_vocab corpus/shard_corpus train/pretrain train/score_checkpoint glue/finetune eval/evaluate; do
  [ -x "$bin/$t" ] || { echo "cpu_recipe.sh: $bin/$t is not built (./scripts/setup.sh && bazel build -c opt //tokenizer:build_vocab //corpus:shard_corpus //train:pretrain //train:score_checkpoint //glue:finetune //eval:evaluate)" >&2; exit 1; }
done
mkdir -p "$work/logs"
say() { echo "== cpu_recipe [$(date +%H:%M:%S)]: $*" >&2; }

# 1. Data: train on all but two books, score on those two.
g=data/corpus/gutenberg
heldout="$g/Alice-s-Adventures-in-Wonderland_11.txt,$g/The-Adventures-of-Sherlock-Holmes_1661.txt"
train=$(ls $g/*.txt | grep -v -e Alice -e Sherlock | paste -sd,),data/corpus/wikitext-2-raw/wiki.valid.raw
vocab_input=$train data="$work/train/*.tfrecord*"
if [ -n "$brown" ]; then
  [ -f "$brown/text/DONE" ] || { echo "cpu_recipe.sh: --brown=$brown: no $brown/text/DONE (make it with scripts/get_brown.sh $brown)" >&2; exit 1; }
  vocab_input="$train,$brown/text/pretrain/*.txt" data="$data,$work/brown/*.tfrecord*"
fi
[ -s "$work/vocab.txt" ] || "$bin/tokenizer/build_vocab" --input="$vocab_input" --output="$work/vocab.txt" --vocab_size="$vocab_size" --threads=1 2>>"$work/logs/data.log"
# Brown has one sentence per line and a blank line between its source files (its documents).
[ -z "$brown" ] || [ -f "$work/brown/shard_spec-00000-of-00001.pbtxt" ] || "$bin/corpus/shard_corpus" --input="$brown/text/pretrain/*.txt" \
  --vocab="$work/vocab.txt" --output_dir="$work/brown" --num_shards=4 --blank_lines_separate_docs=true --threads=2 --overwrite 2>>"$work/logs/data.log"
if [ -n "$sotu" ]; then
  [ -f "$sotu/text/DONE" ] || { echo "cpu_recipe.sh: --sotu=$sotu: no $sotu/text/DONE (make it with scripts/get_sotu.sh $sotu)" >&2; exit 1; }
  data="$data,$work/sotu/*.tfrecord*"
  [ -f "$work/sotu/shard_spec-00000-of-00001.pbtxt" ] || "$bin/corpus/shard_corpus" --input="$sotu/text/pretrain/*.txt" \
    --vocab="$work/vocab.txt" --output_dir="$work/sotu" --num_shards=4 --blank_lines_separate_docs=true --threads=2 --overwrite 2>>"$work/logs/data.log"
fi
[ -f "$work/train/shard_spec-00000-of-00001.pbtxt" ] || "$bin/corpus/shard_corpus" --input="$train" --vocab="$work/vocab.txt" \
  --output_dir="$work/train" --num_shards=4 --blank_lines_separate_docs=false --threads=2 --overwrite 2>>"$work/logs/data.log"
[ -f "$work/heldout/shard_spec-00000-of-00001.pbtxt" ] || "$bin/corpus/shard_corpus" --input="$heldout" --vocab="$work/vocab.txt" \
  --output_dir="$work/heldout" --num_shards=1 --blank_lines_separate_docs=false --threads=2 --overwrite 2>>"$work/logs/data.log"

# 2. Pretraining (resumes), and the untrained initialisation of the same run.
# shellcheck disable=SC2206
flags=(--data="$data" --size="$size" --steps="$steps" --batch_size=32 --seed=42 --device=cpu
       --threads=1 --log_every=250 --objective="$objective" $pretrain_args)
printf -v last "%s/run/checkpoints/step-%08d" "$work" "$steps"
if [ ! -f "$last/DONE" ]; then
  say "pretraining $size for $steps steps on $procs process(es) (log $work/logs/pretrain.log)"
  # Checkpoints at the measured points: --save_every at their greatest common divisor, all kept.
  every=$(python3 -c "import math,sys; print(math.gcd(*[int(x) for x in sys.argv[1].split(',')]))" "$checkpoints")
  [ -n "$minutes" ] && every=$save_every
  launch=()
  [ "$procs" -gt 1 ] && launch=(scripts/launch.sh --nproc="$procs" --master_port=$((29500 + RANDOM % 10000)) --)
  "${launch[@]+"${launch[@]}"}" "$bin/train/pretrain" "${flags[@]}" --output_dir="$work/run" --save_every="$every" \
    --keep=100000 2>>"$work/logs/pretrain.log"
fi
[ -f "$work/untrained/checkpoints/step-00000001/DONE" ] || "$bin/train/pretrain" "${flags[@]}" \
  --output_dir="$work/untrained" --stop_at=1 2>>"$work/logs/pretrain.log"
scripts/plot_pretraining.sh "$work/run" "$work/loss_curves.png" 2>>"$work/logs/pretrain.log" || true

# With --minutes: the checkpoint each minute mark takes, by the clock.
if [ -n "$minutes" ]; then
  checkpoints=$(python3 - "$work/run/checkpoints" "$minutes" 2>"$work/minute_marks.txt" <<'PY'
import json, os, sys
root, marks = sys.argv[1], [float(m) for m in sys.argv[2].split(",")]
saved = []
for name in sorted(os.listdir(root)):
    path = os.path.join(root, name, "training_state.json")
    if name.startswith("step-") and os.path.exists(os.path.join(root, name, "DONE")):
        saved.append((int(name[5:]), json.load(open(path)).get("train_seconds", 0) / 60))
picked = []
for m in marks:
    at = next(((s, t) for s, t in saved if t >= m), saved[-1])
    sys.stderr.write(f"{m:g} min: step {at[0]} ({at[1]:.1f} min){'' if at[1] >= m else ' short: the run ended first'}\n")
    if at[0] not in picked:
        picked.append(at[0])
print(",".join(map(str, picked)))
PY
)
  say "minute marks: $(paste -sd';' "$work/minute_marks.txt")"
fi

# Minutes and training FLOPs of pretraining per checkpoint: the wall-clock seconds of pretrain's
# step loop up to that step, summed over resumes, and the FLOPs by the paper's counting
# (training_state.json's train_seconds and train_flops).
python3 - "$work/run/checkpoints" "$checkpoints" >"$work/minutes.tsv" <<'PY'
import json, os, sys
for c in map(int, sys.argv[2].split(",")):
    path = os.path.join(sys.argv[1], f"step-{c:08d}", "training_state.json")
    if os.path.exists(path):
        state = json.load(open(path))
        print(f"{c}\t{state.get('train_seconds', 0) / 60:.1f}\t{state.get('train_flops', 0):.3g}")
PY

# 3. Held-out scores.
models=("untrained:$work/untrained/checkpoints/step-00000001")
for c in ${checkpoints//,/ }; do
  printf -v d "%s/run/checkpoints/step-%08d" "$work" "$c"
  [ -f "$d/DONE" ] && models+=("step-$c:$d")
done
for m in "${models[@]}"; do
  name=${m%%:*} dir=${m#*:}
  [ -s "$work/scores/$name.json" ] && continue
  mkdir -p "$work/scores"
  "$bin/train/score_checkpoint" --checkpoint="$dir" --data="$work/heldout/*.tfrecord*" --threads=1 \
    --json="$work/scores/$name.json" 2>>"$work/logs/score.log" | sed "s/^/$name: /" >&2
done
if [ -n "$fixed_generator" ] && [ "$objective" = electra ]; then
  for m in "${models[@]}"; do
    name=${m%%:*} dir=${m#*:}
    "$bin/train/score_checkpoint" --checkpoint="$dir" --generator="$fixed_generator" --data="$work/heldout/*.tfrecord*" \
      --threads=1 --json="$work/scores/$name.fixed.json" 2>>"$work/logs/score.log" | sed "s/^/$name (fixed generator): /" >&2 \
      || { echo "cpu_recipe.sh: scoring $name with --fixed_generator=$fixed_generator failed; see $work/logs/score.log" >&2; exit 1; }
  done
else
  rm -f "$work"/scores/*.fixed.json
fi

# 4. Fine-tuning: two processes at a time, one thread each.
jobs=()
for m in "${models[@]}"; do
  for task in ${tasks//,/ }; do jobs+=("${m%%:*}:${m#*:}:$task"); done
done
# shellcheck disable=SC2206
extra=($finetune_args)
run_job() {
  local name=$1 dir=$2 task=$3 limit=()
  [ "$task" = SST-2 ] && [ "$sst2_limit" -gt 0 ] && limit=(--train_limit="$sst2_limit")
  "$bin/glue/finetune" --task="$task" --data_dir=data/glue --model="$dir/$model_sub" --output_dir="$work/glue/$name" \
    --runs="$seeds" --seed=42 --threads=1 --test_limit=0 "${limit[@]+"${limit[@]}"}" "${extra[@]+"${extra[@]}"}" >>"$work/logs/finetune_$name.log" 2>&1 \
    || { echo "cpu_recipe.sh: finetune $task of $name failed; see $work/logs/finetune_$name.log" >&2; return 1; }
}
say "fine-tuning ${#jobs[@]} (model, task) pairs x $seeds seeds"
running=0
for j in "${jobs[@]}"; do
  IFS=: read -r name dir task <<<"$j"
  run_job "$name" "$dir" "$task" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait

# 5. The table and the curve.
for m in "${models[@]}"; do
  name=${m%%:*}
  "$bin/eval/evaluate" --results_dir="$work/glue/$name" --reference=none --aggregate=mean --format=json \
    --json="$work/glue/$name.json" >/dev/null
done
python3 - "$work" "$checkpoints" "$tasks" "$objective" >"$work/table.md" <<'PY'
import json, os, sys
work, checkpoints, tasks, objective = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(","), sys.argv[4]
rows = [l.split("\t") for l in open(os.path.join(work, "minutes.tsv")).read().split("\n") if l]
minutes = {r[0]: r[1] for r in rows}
flops = {r[0]: r[2] for r in rows}
# Task scores as the paper's (MCC for CoLA, Spearman for STS-B, accuracy otherwise).
METRIC = {"CoLA": "MCC", "STS-B": "Spearman"}
fixed = os.path.exists(os.path.join(work, "scores", "untrained.fixed.json"))
def fixed_cells(name):
    """The discriminator scored with the one fixed generator (--fixed_generator), if given."""
    if not fixed:
        return ""
    f = json.load(open(os.path.join(work, "scores", name + ".fixed.json")))
    return f" {f['disc_loss_ratio']:.3f} | {f['disc_auc']:.3f} |"
print("| model | minutes | held-out disc_loss / H(p) | AUC | " + " | ".join(f"{t} ({METRIC.get(t, 'acc')})" for t in tasks)
      + " | GLUE avg | train FLOPs | held-out MLM acc |"
      + (" fixed generator: disc_loss / H(p) | fixed generator: AUC |" if fixed else ""))
print("|---|---|---|---|" + "---|" * (len(tasks) + 3 + 2 * fixed))
curve = []
for name in ["untrained"] + [f"step-{c}" for c in checkpoints]:
    path = os.path.join(work, "glue", name + ".json")
    if not os.path.exists(path):
        continue
    j = json.load(open(path))["tasks"]
    s = json.load(open(os.path.join(work, "scores", name + ".json")))
    cells = [f"{j[t]['mean']:.2f} ± {j[t]['std']:.2f}" if t in j else "-" for t in tasks]
    avg = sum(j[t]["mean"] for t in tasks if t in j) / max(1, sum(t in j for t in tasks))
    mins = "0" if name == "untrained" else minutes.get(name[5:], "?")
    disc = f"{s['disc_loss_ratio']:.3f} | {s['disc_auc']:.3f}" if "disc_loss_ratio" in s else "- | -"  # mlm: no discriminator
    print(f"| {name} | {mins} | {disc} | " + " | ".join(cells) + f" | {avg:.2f} | "
          f"{'0' if name == 'untrained' else flops.get(name[5:], '?')} | {s['gen_accuracy']:.3f} |" + fixed_cells(name))
    curve.append((0.0 if name == "untrained" else float(mins), avg))
# The published ELECTRA-Small-OWT rows on the same tasks (1M GPU steps on OpenWebText; the average is
# over these tasks only), for scale.
REFERENCES = [
    ("ELECTRA-Small-OWT, official (median of >= 10 runs)",
     {"CoLA": 56.8, "SST-2": 88.3, "MRPC": 87.4, "STS-B": 86.8, "QQP": 88.3, "MNLI": 78.9, "QNLI": 87.9, "RTE": 68.5}),
    ("ELECTRA-Small-OWT, PyTorch replication (mean of 10 runs)",
     {"CoLA": 58.72, "SST-2": 88.03, "MRPC": 86.04, "STS-B": 86.16, "QQP": 88.63, "MNLI": 80.4, "QNLI": 87.45, "RTE": 67.46}),
]
for label, row in REFERENCES:
    known = [t for t in tasks if t in row]
    cells = [f"{row[t]:.2f}" if t in row else "-" for t in tasks]
    print(f"| {label} | 1M steps | - | - | " + " | ".join(cells) + f" | {sum(row[t] for t in known) / max(1, len(known)):.2f} "
          "| 1.4e+18 (paper) | - |" + " - | - |" * fixed)
with open(os.path.join(work, "curve.dat"), "w") as f:
    for m, a in curve:
        f.write(f"{m} {a}\n")
# Where the pretrained curve crosses the untrained line: the first measured checkpoint above it
# (interpolated from the point before it), else extrapolated from the last two points.
base, pts = curve[0][1] if curve else 0.0, curve[1:]
above = [i for i, (m, a) in enumerate(pts) if a > base]
if not pts:
    text = "no pretrained checkpoint was fine-tuned yet"
elif above:
    i = above[0]
    m1, a1 = pts[i]
    m0, a0 = pts[i - 1] if i > 0 else curve[0]
    if i > 0:
        at = m0 + (base - a0) / (a1 - a0) * (m1 - m0)
        first = (f"pretraining beats the untrained model ({base:.2f}) from {at:.1f} min (interpolated "
                 f"between the checkpoints at {m0:g} and {m1:g} min)")
    else:
        first = f"pretraining already beats the untrained model ({base:.2f}) at the first checkpoint"
    mL, aL = pts[-1]
    text = (f"measured: {first}; {m1:g} min: {a1:.2f} ({a1 - base:+.2f})"
            + (f", {mL:g} min: {aL:.2f} ({aL - base:+.2f})" if (mL, aL) != (m1, a1) else ""))
else:
    (m0, a0), (m1, a1) = (curve[0], pts[0]) if len(pts) == 1 else pts[-2:]
    slope = (a1 - a0) / (m1 - m0) if m1 > m0 else 0.0
    if slope > 0:
        text = (f"EXTRAPOLATED, not measured: no checkpoint beats the untrained model ({base:.2f}); the line "
                f"through the last two points ({m0:g} min: {a0:.2f}, {m1:g} min: {a1:.2f}) would cross it at "
                f"{m1 + (base - a1) / slope:.0f} min")
    else:
        text = (f"no checkpoint beats the untrained model ({base:.2f}), and the last two points "
                f"({m0:g} min: {a0:.2f}, {m1:g} min: {a1:.2f}) do not rise toward it: no crossing to extrapolate")
open(os.path.join(work, "crossing.txt"), "w").write(text + "\n")
PY
cat "$work/table.md"
echo "crossing: $(cat "$work/crossing.txt")"
if command -v gnuplot >/dev/null; then
  base=$(head -1 "$work/curve.dat" | cut -d' ' -f2)
  gnuplot <<GNUPLOT
set terminal pngcairo size 900,560 font "sans,10" noenhanced
set output "$work/glue_vs_minutes.png"
set title "GLUE average (CoLA, SST-2, MRPC, STS-B, RTE; mean of $seeds seeds) against CPU pretraining minutes"
set xlabel "pretraining minutes on 2 CPU cores"
set ylabel "GLUE average (dev)"
set grid
set key bottom right
set label 1 "$(sed 's/"/\\"/g' "$work/crossing.txt" | fold -s -w 110 | sed ':a;N;$!ba;s/\n/\\n/g')" at graph 0.02, graph 0.95 font "sans,8"
plot "$work/curve.dat" using 1:2 with linespoints lw 2 pt 7 title "pretrained ($size, $objective)", \
     $base with lines dt 2 lc rgb "black" title "untrained, same architecture and fine-tuning"
GNUPLOT
  say "wrote $work/glue_vs_minutes.png"
fi
