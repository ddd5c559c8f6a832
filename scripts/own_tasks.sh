#!/usr/bin/env bash
# Fine-tunes a pretrained model and its untrained initialisation on the two real non-GLUE tasks
# (issue "Fine-tuning beyond GLUE") and tables them side by side with the per-task difference:
#   spam:      SpamAssassin mail, spam against ham (scripts/get_spam.sh SPAM_DIR), JSON Lines,
#              scored by the F1 of the spam class (accuracy beside it);
#   brown-pos: part-of-speech tags of the Brown corpus (scripts/get_brown.sh BROWN_DIR), CoNLL
#              style, 188 base tags, scored by word accuracy.
#
#   scripts/own_tasks.sh --model=DIR --untrained=DIR --spam=SPAM_DIR --brown=BROWN_DIR [--work=DIR]
#       [--seeds=3] [--spam_limit=N] [--pos_limit=N] [--finetune_args="..."] [--bin=bazel-bin]
# --spam_limit / --pos_limit: a fixed random sample (seed 0) of N training mails / sentences
# (default: 2000 / 4000; the training files are in group and genre order, so their first lines
# would be one class or one genre); the full dev sets are always scored. Two fine-tuning processes at a time, one thread each. Reruns
# skip finished runs. Writes WORK/table.md (evaluate's table: pretrained against untrained).
set -euo pipefail
cd "$(dirname "$0")/.."
work=work/own_tasks model="" untrained="" spam="" brown=""
seeds=3 spam_limit=2000 pos_limit=4000 finetune_args="" bin=bazel-bin
for arg in "$@"; do
  case "$arg" in
    --model=*) model="${arg#*=}" ;;
    --untrained=*) untrained="${arg#*=}" ;;
    --spam=*) spam="${arg#*=}" ;;
    --brown=*) brown="${arg#*=}" ;;
    --work=*) work="${arg#*=}" ;;
    --seeds=*) seeds="${arg#*=}" ;;
    --spam_limit=*) spam_limit="${arg#*=}" ;;
    --pos_limit=*) pos_limit="${arg#*=}" ;;
    --finetune_args=*) finetune_args="${arg#*=}" ;;
    --bin=*) bin="${arg#*=}" ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "own_tasks.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
for v in model untrained spam brown; do
  [ -n "${!v}" ] || { echo "own_tasks.sh: --$v is required (see --help)" >&2; exit 2; }
done
for n in seeds spam_limit pos_limit; do
  [[ "${!n}" =~ ^[1-9][0-9]*$ ]] || { echo "own_tasks.sh: --$n=${!n} is not a positive whole number" >&2; exit 2; }
done
[ -f "$model/config.json" ] || { echo "own_tasks.sh: --model=$model is not a model directory (no config.json)" >&2; exit 1; }
[ -f "$untrained/config.json" ] || { echo "own_tasks.sh: --untrained=$untrained is not a model directory (no config.json)" >&2; exit 1; }
[ -f "$spam/jsonl/train.jsonl" ] || { echo "own_tasks.sh: --spam=$spam: no jsonl/train.jsonl (make it with scripts/get_spam.sh $spam)" >&2; exit 1; }
[ -f "$brown/conll/DONE" ] || { echo "own_tasks.sh: --brown=$brown: no conll/DONE (make it with scripts/get_brown.sh $brown)" >&2; exit 1; }
for t in glue/finetune eval/evaluate; do
  [ -x "$bin/$t" ] || { echo "own_tasks.sh: $bin/$t is not built (bazel build //glue:finetune //eval:evaluate)" >&2; exit 1; }
done
mkdir -p "$work/logs"
abs() { (cd "$1" && pwd); }
# The training slices: N mails (lines) / N sentences (blank-line separated blocks) drawn at random
# with a fixed seed, kept in file order.
python3 - "$spam/jsonl/train.jsonl" "$work/spam_train.jsonl" "$spam_limit" "$brown/conll/train.tsv" \
  "$work/brown_train.tsv" "$pos_limit" <<'PY'
import random, sys
def sample(items, n):
    keep = sorted(random.Random(0).sample(range(len(items)), min(n, len(items))))
    return [items[i] for i in keep]
spam_in, spam_out, spam_n, pos_in, pos_out, pos_n = sys.argv[1:]
mails = [l for l in open(spam_in, encoding="utf-8").read().split("\n") if l.strip()]
open(spam_out, "w", encoding="utf-8").write("".join(l + "\n" for l in sample(mails, int(spam_n))))
sentences = [b for b in open(pos_in, encoding="utf-8").read().split("\n\n") if b.strip()]
open(pos_out, "w", encoding="utf-8").write("".join(b.strip("\n") + "\n\n" for b in sample(sentences, int(pos_n))))
PY
cat >"$work/spam.json" <<JSON
{"name": "spam", "type": "classification", "format": "jsonl",
 "train": "$(abs "$work")/spam_train.jsonl", "dev": "$(abs "$spam/jsonl")/dev.jsonl", "test": "$(abs "$spam/jsonl")/test.jsonl",
 "text_a": "text", "label": "label", "id": "id", "labels": ["ham", "spam"], "metric": "f1"}
JSON
cat >"$work/brown-pos.json" <<JSON
{"name": "brown-pos", "type": "tagging",
 "train": "$(abs "$work")/brown_train.tsv", "dev": "$(abs "$brown/conll")/dev.tsv", "test": "$(abs "$brown/conll")/test.tsv",
 "labels_file": "$(abs "$brown/conll")/tags.txt", "metric": "accuracy"}
JSON
say() { echo "== own_tasks [$(date +%H:%M:%S)]: $*" >&2; }
# shellcheck disable=SC2206
extra=($finetune_args)
run() {  # run NAME MODEL_DIR SPEC
  "$bin/glue/finetune" --task_spec="$3" --model="$2" --output_dir="$work/$1" --runs="$seeds" \
    --threads=1 "${extra[@]+"${extra[@]}"}" 2>>"$work/logs/$1.$(basename "$3" .json).log"
}
for name in pretrained untrained; do
  dir=$model; [ "$name" = untrained ] && dir=$untrained
  say "$name: spam ($spam_limit training mails) and brown-pos ($pos_limit training sentences), $seeds seeds each"
  run "$name" "$dir" "$work/spam.json" &
  spam_pid=$!
  run "$name" "$dir" "$work/brown-pos.json"
  wait "$spam_pid"
done
"$bin/eval/evaluate" --results_dir="$work/pretrained" --baseline_dir="$work/untrained" --label=pretrained \
  --baseline_label=untrained --reference=none --aggregate=mean >"$work/table.md"
cat "$work/table.md"
