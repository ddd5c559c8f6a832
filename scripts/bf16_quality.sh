#!/usr/bin/env bash
# Does bf16 pretraining on the CPU learn as fp32 does? Runs the CPU recipe's first --stop_at steps
# (scripts/cpu_recipe.sh's data, model and schedule: mini, batch 32, lr 5e-4, warmup 1000 of 8000
# steps, 1/4 generator) in each precision with --seeds seeds, scores every final checkpoint on the
# recipe's two held-out books (score_checkpoint: disc_loss / H(p), AUC, generator loss and
# accuracy), and prints a table: each run, then mean and the seeds' range per precision. The
# precisions agree when their means differ by no more than the seeds' spread within a precision.
#   scripts/bf16_quality.sh [--work=work/bf16_quality] [--seeds=2] [--stop_at=2000] [--procs=N]
#       [--precisions=fp32,bf16] [--bin=bazel-bin]
# Needs a CPU with native bf16 (avx512_bf16 or amx_bf16). By hand, not in CI (minutes per run).
set -euo pipefail
cd "$(dirname "$0")/.."
work=work/bf16_quality
seeds=2
stop_at=2000
procs=$(nproc)
precisions=fp32,bf16
bin=bazel-bin
for arg in "$@"; do
  case "$arg" in
    --work=*) work="${arg#*=}" ;;
    --seeds=*) seeds="${arg#*=}" ;;
    --stop_at=*) stop_at="${arg#*=}" ;;
    --procs=*) procs="${arg#*=}" ;;
    --precisions=*) precisions="${arg#*=}" ;;
    --bin=*) bin="${arg#*=}" ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bf16_quality.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
for n in "$seeds" "$stop_at" "$procs"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bf16_quality.sh: '$n' is not a positive whole number" >&2; exit 2; }
done
for t in tokenizer/build_vocab corpus/shard_corpus train/pretrain train/score_checkpoint; do
  [ -x "$bin/$t" ] || { echo "bf16_quality.sh: $bin/$t is not built (bazel build //tokenizer:build_vocab //corpus:shard_corpus //train:pretrain //train:score_checkpoint)" >&2; exit 1; }
done
mkdir -p "$work/logs" "$work/scores"

# The recipe's data: all books but two and WikiText-2 to train on, the two books held out.
g=data/corpus/gutenberg
heldout="$g/Alice-s-Adventures-in-Wonderland_11.txt,$g/The-Adventures-of-Sherlock-Holmes_1661.txt"
train=$(ls $g/*.txt | grep -v -e Alice -e Sherlock | paste -sd,),data/corpus/wikitext-2-raw/wiki.valid.raw
[ -s "$work/vocab.txt" ] || "$bin/tokenizer/build_vocab" --input="$train" --output="$work/vocab.txt" --vocab_size=8000 --threads=1 2>>"$work/logs/data.log"
for part in train heldout; do
  [ "$part" = train ] && input=$train n=4 || input=$heldout n=1
  [ -f "$work/$part/shard_spec-00000-of-00001.pbtxt" ] || "$bin/corpus/shard_corpus" --input="$input" --vocab="$work/vocab.txt" \
    --output_dir="$work/$part" --num_shards=$n --blank_lines_separate_docs=false --threads=2 --overwrite 2>>"$work/logs/data.log"
done

for precision in ${precisions//,/ }; do
  for ((seed = 1; seed <= seeds; seed++)); do
    name=$precision-seed$seed
    printf -v ckpt "%s/runs/%s/checkpoints/step-%08d" "$work" "$name" "$stop_at"
    if [ ! -f "$ckpt/DONE" ]; then
      echo "== bf16_quality: $name, $stop_at steps on $procs process(es)" >&2
      launch=()
      [ "$procs" -gt 1 ] && launch=(scripts/launch.sh --nproc="$procs" --master_port=$((29500 + RANDOM % 10000)) --)
      "${launch[@]+"${launch[@]}"}" "$bin/train/pretrain" --data="$work/train/*.tfrecord*" --size=mini --steps=8000 \
        --batch_size=32 --generator_fraction=0.25 --lr=5e-4 --warmup_steps=1000 --device=cpu --threads=1 \
        --precision="$precision" --seed="$seed" --stop_at="$stop_at" --save_every="$stop_at" --log_every=250 \
        --output_dir="$work/runs/$name" 2>>"$work/logs/$name.log"
    fi
    [ -s "$work/scores/$name.json" ] || "$bin/train/score_checkpoint" --checkpoint="$ckpt" --data="$work/heldout/*.tfrecord*" \
      --threads=1 --precision=fp32 --json="$work/scores/$name.json" 2>>"$work/logs/score.log" >&2
  done
done

python3 - "$work" "$precisions" "$seeds" "$stop_at" <<'PY' | tee "$work/table.md"
import json, sys
work, precisions, seeds, stop_at = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4]
cols = [("disc_loss / H(p)", lambda s: s["disc_loss"] / s["disc_base_entropy"]), ("AUC", lambda s: s["disc_auc"]),
        ("gen loss", lambda s: s["gen_loss"]), ("gen acc", lambda s: s["gen_accuracy"])]
print(f"Held-out scores after {stop_at} steps of the CPU recipe (score_checkpoint in fp32):\n")
print("| run | " + " | ".join(c for c, _ in cols) + " | minutes |")
print("|---" * (len(cols) + 2) + "|")
summary = {}
for p in precisions:
    rows = []
    for seed in range(1, seeds + 1):
        s = json.load(open(f"{work}/scores/{p}-seed{seed}.json"))
        state = json.load(open(f"{work}/runs/{p}-seed{seed}/checkpoints/step-{int(stop_at):08d}/training_state.json"))
        v = [f(s) for _, f in cols]
        rows.append(v)
        print(f"| {p} seed {seed} | " + " | ".join(f"{x:.4f}" for x in v) + f" | {state.get('train_seconds', 0) / 60:.1f} |")
    summary[p] = rows
for p, rows in summary.items():
    cells = []
    for i in range(len(cols)):
        xs = [r[i] for r in rows]
        cells.append(f"{sum(xs) / len(xs):.4f} (range {max(xs) - min(xs):.4f})")
    print(f"| {p} mean | " + " | ".join(cells) + " | |")
PY
