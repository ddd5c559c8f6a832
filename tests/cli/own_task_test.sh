#!/usr/bin/env bash
# Your own task (finetune --task_spec) and predict, end to end on a tiny model: SST-2 restated
# through a spec gives the built-in task's predictions; JSON Lines classification, CSV regression
# and CoNLL-style BIO tagging fine-tune, save and predict; predict in fp32 equals the fine-tuner's
# own dev and test predictions, and bf16 agrees within the stated tolerance; the tagger learns a
# task a majority tagger fails; evaluate tables the tasks; every bad-input path.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BUILD_VOCAB=$(bin tokenizer/build_vocab)
SHARD=$(bin corpus/shard_corpus)
PRETRAIN=$(bin train/pretrain)
FINETUNE=$(bin glue/finetune)
PREDICT=$(bin glue/predict)
EVALUATE=$(bin eval/evaluate)
ROOT=$(pwd)

# A tiny model directory (one pretraining step: the initial weights, HF layout, with vocab.txt).
"$BUILD_VOCAB" --input="$(ls data/corpus/gutenberg/*.txt | paste -sd,)" --output="$TMP/vocab.txt" --vocab_size=4000 2>/dev/null
"$SHARD" --input=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt --vocab="$TMP/vocab.txt" --output_dir="$TMP/shards" 2>/dev/null
"$PRETRAIN" --data="$TMP/shards/*.tfrecord*" --output_dir="$TMP/pt" --size=tiny --steps=1 --batch_size=8 2>/dev/null
MODEL="$TMP/pt/checkpoints/step-00000001/discriminator"
# This machine's CPU may lack native bf16: bf16 checks then emulate it.
EMU=()
grep -Eq 'avx512_bf16|amx_bf16' /proc/cpuinfo || EMU=(--testing_emulated_bf16)

# 1. SST-2 restated through a spec file gives the built-in task's predictions, seed for seed.
mkdir -p "$TMP/glue" && ln -s "$ROOT/data/glue/SST-2" "$TMP/glue/SST-2"
cat >"$TMP/sst2.json" <<JSON
{"name": "sst2-restated", "type": "classification", "format": "tsv",
 "train": "$ROOT/data/glue/SST-2/train.tsv", "dev": "$ROOT/data/glue/SST-2/dev.tsv",
 "text_a": "sentence", "label": "label", "labels": ["0", "1"], "metric": "accuracy"}
JSON
SLICE=(--model="$MODEL" --threads=2 --train_limit=300 --dev_limit=200 --epochs=1 --seed=11 --lr=1e-3)
expect_ok "built-in SST-2" "$FINETUNE" --task=SST-2 --data_dir="$TMP/glue" --output_dir="$TMP/builtin" "${SLICE[@]}"
expect_ok "SST-2 restated" "$FINETUNE" --task_spec="$TMP/sst2.json" --output_dir="$TMP/restated" "${SLICE[@]}"
if cmp -s <(cut -f1,2 "$TMP/builtin/SST-2/run-0/dev_predictions.tsv") <(cut -f1,2 "$TMP/restated/sst2-restated/run-0/dev_predictions.tsv"); then
  pass "the restated task predicts every dev row as the built-in task does"
else
  fail "restated SST-2 predictions differ from the built-in task's"
fi
expect_eq "the same dev accuracy" \
  "$(python3 -c "import json; print(json.load(open('$TMP/builtin/SST-2/run-0/metrics.json'))['metrics']['accuracy'])")" \
  "$(python3 -c "import json; print(json.load(open('$TMP/restated/sst2-restated/run-0/metrics.json'))['metrics']['accuracy'])")"

# 2. Classification from JSON Lines (SST-2 rows with named labels), saved and predicted.
mkdir -p "$TMP/mail"
python3 - "$ROOT/data/glue/SST-2" "$TMP/mail" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
def rows(name, n):
    lines = open(f"{src}/{name}.tsv", encoding="utf-8").read().splitlines()[1:n + 1]
    return [l.split("\t") for l in lines]
for split, name, n in [("train", "train", 300), ("dev", "dev", 150), ("test", "dev", 60)]:
    with open(f"{out}/{split}.jsonl", "w", encoding="utf-8") as f:
        for i, (text, label) in enumerate(rows(name, n)):
            row = {"id": f"{split}-{i}", "text": text}
            if split != "test":
                row["label"] = ["negative", "positive"][int(label)]
            f.write(json.dumps(row) + "\n")
PY
cat >"$TMP/mail/task.json" <<'JSON'
{"name": "reviews", "type": "classification", "train": "train.jsonl", "dev": "dev.jsonl", "test": "test.jsonl",
 "text_a": "text", "label": "label", "id": "id", "labels": ["negative", "positive"], "metric": "f1"}
JSON
OWN=(--threads=2 --epochs=1 --seed=3 --lr=1e-3 --save_model --output_dir="$TMP/own")
expect_ok "JSON Lines classification" "$FINETUNE" --task_spec="$TMP/mail/task.json" --model="$MODEL" --precision=fp32 "${OWN[@]}"
RUN="$TMP/own/reviews/run-0"
python3 -c "import json; m = json.load(open('$RUN/metrics.json')); assert m['task_metric'] == 'f1' and 'f1' in m['metrics'] and 'accuracy' in m['metrics']" \
  && pass "scored by its metric (f1) beside accuracy" || fail "reviews metrics: $(cat "$RUN/metrics.json" | head -20)"
python3 -c "import json; t = json.load(open('$RUN/model/task.json')); assert t['labels'] == ['negative', 'positive'] and t['max_seq_length'] == 128 and t['lowercase'] is True and t['text_a'] == 'text'" \
  && pass "the saved model describes its task, labels, casing and maximum length" || fail "task.json: $(cat "$RUN/model/task.json")"
[ -f "$RUN/model/vocab.txt" ] && [ -f "$RUN/model/tokenizer_config.json" ] && pass "the saved model carries its vocabulary and casing" || fail "vocab/casing missing"
expect_ok "predict the dev file (fp32)" "$PREDICT" --model="$RUN/model" --input="$TMP/mail/dev.jsonl" --output="$TMP/pred_dev.tsv" --precision=fp32
expect_eq "predict's header" "$(head -1 "$TMP/pred_dev.tsv")" "$(printf 'id\tprediction\tp_negative\tp_positive')"
if cmp -s <(tail -n +2 "$RUN/dev_predictions.tsv" | cut -f1,2) <(tail -n +2 "$TMP/pred_dev.tsv" | cut -f1,2); then
  pass "fp32 predict labels every dev row as the fine-tuner did"
else
  fail "fp32 predict differs from the fine-tuner's dev predictions"
fi
expect_ok "predict the test file (fp32)" "$PREDICT" --model="$RUN/model" --input="$TMP/mail/test.jsonl" --output="$TMP/pred_test.tsv" --precision=fp32 --task_spec="$TMP/mail/task.json"
cmp -s "$RUN/test_predictions.tsv" "$TMP/pred_test.tsv" && pass "fp32 predict equals the fine-tuner's test predictions byte for byte (probabilities too)" \
  || fail "test predictions differ: $(diff "$RUN/test_predictions.tsv" "$TMP/pred_test.tsv" | head -3)"
expect_ok "predict in bf16" "$PREDICT" --model="$RUN/model" --input="$TMP/mail/test.jsonl" --output="$TMP/pred_bf16.tsv" --precision=bf16 "${EMU[@]}"
# The stated tolerance: bf16 class probabilities within 0.02 of fp32's, and the same label wherever
# fp32's two probabilities are more than 0.04 apart.
python3 - "$TMP/pred_test.tsv" "$TMP/pred_bf16.tsv" <<'PY' && pass "bf16 agrees with fp32 within the stated tolerance" || fail "bf16 outside the tolerance"
import sys
a = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()[1:]]
b = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()[1:]]
assert len(a) == len(b) == 60
worst = max(abs(float(x) - float(y)) for ra, rb in zip(a, b) for x, y in zip(ra[2:], rb[2:]))
flips = [ra[0] for ra, rb in zip(a, b) if ra[1] != rb[1] and abs(float(ra[2]) - float(ra[3])) > 0.04]
print(f"largest probability difference {worst:.4f}; label changes beyond the margin: {flips}")
sys.exit(0 if worst <= 0.02 and not flips else 1)
PY
head -c 200 "$TMP/pred_bf16.tsv" | grep -q "p_positive" && pass "bf16 output in the same format" || fail "bf16 format"
"$PREDICT" --model="$RUN/model" --input="$TMP/mail/dev.jsonl" --precision=fp32 --quiet >"$TMP/stdout_pred.tsv" 2>/dev/null
cmp -s "$TMP/stdout_pred.tsv" "$TMP/pred_dev.tsv" && pass "without --output the predictions go to stdout" || fail "stdout output"

# 3. Regression from CSV (STS-B pairs), scored by Pearson.
python3 - "$ROOT/data/glue/STS-B" "$TMP/sts" <<'PY'
import csv, os, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for split, n in [("train", 200), ("dev", 80)]:
    lines = open(f"{src}/{split}.tsv", encoding="utf-8").read().splitlines()[1:n + 1]
    with open(f"{out}/{split}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["first", "second", "similarity"])
        for l in lines:
            c = l.split("\t")
            w.writerow([c[7], c[8], c[9]])
PY
cat >"$TMP/sts/task.json" <<'JSON'
{"name": "similarity", "type": "regression", "train": "train.csv", "dev": "dev.csv",
 "text_a": "first", "text_b": "second", "label": "similarity", "metric": "pearson"}
JSON
expect_ok "CSV regression" "$FINETUNE" --task_spec="$TMP/sts/task.json" --model="$MODEL" --precision=fp32 "${OWN[@]}"
expect_ok "predict the regression dev file" "$PREDICT" --model="$TMP/own/similarity/run-0/model" --input="$TMP/sts/dev.csv" --output="$TMP/pred_sts.tsv" --precision=fp32
if cmp -s <(tail -n +2 "$TMP/own/similarity/run-0/dev_predictions.tsv" | cut -f2) <(tail -n +2 "$TMP/pred_sts.tsv" | cut -f2); then
  pass "fp32 predict scores every pair as the fine-tuner did"
else
  fail "regression predictions differ"
fi

# 4. BIO tagging (CoNLL style): words of a few classes tagged by their class; a one-word window
# budget forces long sentences into windows.
python3 - "$TMP/tags" <<'PY'
import os, random, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
random.seed(5)
colours = ["red", "green", "white", "black", "brown", "yellow", "grey"]
animals = ["cat", "dog", "horse", "bird", "mouse", "rabbit", "sheep", "fox"]
other = ["the", "a", "saw", "ran", "with", "and", "near", "big", "little", "old", "over", "under", "house", "tree",
         "garden", "river", "was", "very", "on", "in"]
def sentence(n):
    words, tags = [], []
    while len(words) < n:
        r = random.random()
        if r < 0.15:
            if random.random() < 0.4:
                words += [random.choice(["dark", "light"]), random.choice(colours)]
                tags += ["B-COLOUR", "I-COLOUR"]
            else:
                words.append(random.choice(colours)); tags.append("B-COLOUR")
        elif r < 0.35:
            words.append(random.choice(animals)); tags.append("B-ANIMAL")
        else:
            words.append(random.choice(other)); tags.append("O")
    return words, tags
def write(name, sentences):
    with open(f"{out}/{name}", "w") as f:
        for words, tags in sentences:
            f.write("".join(f"{w}\t{t}\n" for w, t in zip(words, tags)) + "\n")
write("train.conll", [sentence(random.randint(4, 12)) for _ in range(600)])
write("dev.conll", [sentence(random.randint(4, 12)) for _ in range(80)] + [sentence(90)])
PY
cat >"$TMP/tags/task.json" <<'JSON'
{"name": "kinds", "type": "tagging", "train": "train.conll", "dev": "dev.conll", "metric": "span_f1"}
JSON
expect_ok "CoNLL tagging" "$FINETUNE" --task_spec="$TMP/tags/task.json" --model="$MODEL" --precision=fp32 --max_seq_length=32 \
  --threads=2 --epochs=3 --seed=3 --lr=2e-3 --save_model --output_dir="$TMP/own"
KRUN="$TMP/own/kinds/run-0"
python3 - "$KRUN/metrics.json" "$TMP/tags/dev.conll" <<'PY' && pass "the tagger beats the majority tag and finds the chunks" || fail "the tagger did not learn"
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
tags = [l.split("\t")[1] for l in open(sys.argv[2]).read().splitlines() if l]
majority = 100 * max(tags.count(t) for t in set(tags)) / len(tags)
print(f"word accuracy {m['accuracy']:.1f} (majority tag {majority:.1f}), span F1 {m['span_f1']:.1f}")
sys.exit(0 if m["accuracy"] > majority + 20 and m["span_f1"] > 60 else 1)
PY
python3 -c "import json; t = json.load(open('$KRUN/model/task.json')); assert t['labels'] == ['B-ANIMAL', 'B-COLOUR', 'I-COLOUR', 'O'], t['labels']" \
  && pass "default labels: the training file's tags, sorted" || fail "tagging labels"
expect_ok "predict tags" "$PREDICT" --model="$KRUN/model" --input="$TMP/tags/dev.conll" --output="$TMP/pred_tags.conll" --precision=fp32
expect_eq "a tag for every token, windows included" "$(grep -c . "$TMP/pred_tags.conll")" "$(grep -c . "$TMP/tags/dev.conll")"
if cmp -s <(cut -f1,2 "$KRUN/dev_predictions.tsv") "$TMP/pred_tags.conll"; then
  pass "fp32 predict tags every token as the fine-tuner did"
else
  fail "tagging predictions differ"
fi

# 5. evaluate tables your own tasks by their metric, outside the GLUE average.
expect_ok "evaluate your own tasks" "$EVALUATE" --results_dir="$TMP/own" --reference=none
grep -q "reviews (F1)" "$TMP/stdout" && grep -q "similarity (Pearson)" "$TMP/stdout" && grep -q "kinds (span F1)" "$TMP/stdout" \
  && pass "the table names each task's metric" || fail "table: $(head -3 "$TMP/stdout")"
grep -q "left out of the GLUE average" "$TMP/stdout" && pass "the table says they are not in the GLUE average" || fail "note"

# Bad input.
cp "$TMP/mail/train.jsonl" "$TMP/mail/train_ok.jsonl"
sed 's/"text_a": "text"/"text_a": "body"/' "$TMP/mail/task.json" >"$TMP/mail/nocol.json"
expect_error "missing column names file and line" "train.jsonl:1: missing column 'body' \(the text_a\)" \
  "$FINETUNE" --task_spec="$TMP/mail/nocol.json" --model="$MODEL" --output_dir="$TMP/bad"
{ head -5 "$TMP/mail/dev.jsonl"; echo '{"id": "x", "text": "fine", "label": "neutral"}'; } >"$TMP/mail/dev_bad.jsonl"
sed 's/"dev": "dev.jsonl"/"dev": "dev_bad.jsonl"/' "$TMP/mail/task.json" >"$TMP/mail/badlabel.json"
expect_error "label outside the list names file and line" "dev_bad.jsonl:6: label 'neutral' is not one of the task's labels \(negative, positive\)" \
  "$FINETUNE" --task_spec="$TMP/mail/badlabel.json" --model="$MODEL" --output_dir="$TMP/bad"
{ head -4 "$TMP/sts/train.csv"; echo '"a sentence","another",high'; } >"$TMP/sts/train_bad.csv"
sed 's/"train": "train.csv"/"train": "train_bad.csv"/' "$TMP/sts/task.json" >"$TMP/sts/bad.json"
expect_error "non-numeric regression target names file and line" "train_bad.csv:5: regression target 'high' is not a number" \
  "$FINETUNE" --task_spec="$TMP/sts/bad.json" --model="$MODEL" --output_dir="$TMP/bad"
printf 'the\tO\ncat\tB-ANIMAL\nran\n\n' >"$TMP/tags/dev_bad.conll"
sed 's/"dev": "dev.conll"/"dev": "dev_bad.conll"/' "$TMP/tags/task.json" >"$TMP/tags/bad.json"
expect_error "tokens and tags disagree: file and line" "dev_bad.conll:3: a token without a tag" \
  "$FINETUNE" --task_spec="$TMP/tags/bad.json" --model="$MODEL" --output_dir="$TMP/bad"
sed 's/"labels": \["negative", "positive"\]/"labels": ["positive", "negative"]/' "$TMP/mail/task.json" >"$TMP/mail/reordered.json"
expect_error "predict with another label set" "was fine-tuned for task 'reviews' \(classification; labels negative, positive\), not for 'reviews' \(classification; labels positive, negative\)" \
  "$PREDICT" --model="$RUN/model" --input="$TMP/mail/dev.jsonl" --task_spec="$TMP/mail/reordered.json"
expect_error "predict with another task" "was fine-tuned for task 'similarity' \(regression\), not for 'reviews'" \
  "$PREDICT" --model="$TMP/own/similarity/run-0/model" --input="$TMP/mail/dev.jsonl" --task_spec="$TMP/mail/task.json"
expect_error "predict with a GLUE task the model was not tuned for" "not for 'SST-2'" \
  "$PREDICT" --model="$RUN/model" --input="$TMP/mail/dev.jsonl" --task=SST-2
expect_error "predict on a pretraining checkpoint" "is not a fine-tuned model: it has no task.json" \
  "$PREDICT" --model="$MODEL" --input="$TMP/mail/dev.jsonl"
expect_error "predict a tagging file with a classifier" "--format=conll: .* is a classification model" \
  "$PREDICT" --model="$RUN/model" --input="$TMP/tags/dev.conll" --format=conll
expect_error "predict input without the task's column" "no_text.tsv:1: no column 'text'" \
  "$PREDICT" --model="$RUN/model" --input="$(printf 'id\tbody\n1\thi\n' >"$TMP/no_text.tsv"; echo "$TMP/no_text.tsv")"
cp -r "$RUN/model" "$TMP/damaged"
printf '{"name": "reviews"' >"$TMP/damaged/task.json"
expect_error "predict with a damaged task.json" "task.json" "$PREDICT" --model="$TMP/damaged" --input="$TMP/mail/dev.jsonl"
rm "$TMP/damaged/manifest.json"
expect_error "predict with an unreadable task.json (no manifest)" "damaged/task.json: not a JSON object" \
  "$PREDICT" --model="$TMP/damaged" --input="$TMP/mail/dev.jsonl"
{ head -3 "$TMP/mail/train.jsonl" | grep '"negative"'; } >"$TMP/mail/one_label.jsonl"
sed 's/"train": "train.jsonl"/"train": "one_label.jsonl"/' "$TMP/mail/task.json" >"$TMP/mail/one_label.json"
expect_ok "a training set with one label still runs" "$FINETUNE" --task_spec="$TMP/mail/one_label.json" --model="$MODEL" \
  --output_dir="$TMP/one" --epochs=1 --dev_limit=5 --train_limit=3
grep -q "warning: all .* training examples have the label 'negative'.*--train_limit takes the first rows" "$TMP/stderr" \
  && pass "and warns that it can only learn that label" || fail "one-label warning: $(grep -i warn "$TMP/stderr")"
expect_error "--task_spec with --task" "--task_spec: describes the whole task" \
  "$FINETUNE" --task_spec="$TMP/mail/task.json" --task=SST-2 --model="$MODEL" --output_dir="$TMP/bad"
echo '{"name": "x", "type": "classification", "train": "train.jsonl", "dev": "dev.jsonl", "text_a": "text"}' >"$TMP/mail/nolabel.json"
expect_error "a spec without its label column" "nolabel.json: \"label\" \(the label column\) is required" \
  "$FINETUNE" --task_spec="$TMP/mail/nolabel.json" --model="$MODEL" --output_dir="$TMP/bad"
[ ! -e "$TMP/bad/reviews/run-0/DONE" ] && pass "failed runs leave no DONE marker" || fail "DONE after an error"

# scripts/own_tasks.sh on data in get_spam.sh's and get_brown.sh's output layouts.
mkdir -p "$TMP/spam/jsonl" "$TMP/brown/conll"
for f in train dev test; do
  sed -e 's/"negative"/"ham"/; s/"positive"/"spam"/' "$TMP/mail/$f.jsonl" >"$TMP/spam/jsonl/$f.jsonl"
done
python3 - "$TMP/brown/conll" <<'PY'
import sys
out = sys.argv[1]
sents = [[("the", "at"), ("dog", "nn"), ("ran", "vbd")], [("a", "at"), ("cat", "nn"), ("sat", "vbd"), (".", ".")]]
for name, n in [("train", 40), ("dev", 6), ("test", 6)]:
    open(f"{out}/{name}.tsv", "w").write("".join("".join(f"{w}\t{t}\n" for w, t in sents[i % 2]) + "\n" for i in range(n)))
open(f"{out}/tags.txt", "w").write(".\nat\nnn\nvbd\n")
open(f"{out}/DONE", "w").write("{}\n")
PY
BINDIR=$(dirname "$(dirname "$FINETUNE")")
expect_ok "own_tasks.sh tables pretrained against untrained" scripts/own_tasks.sh --model="$MODEL" --untrained="$MODEL" \
  --spam="$TMP/spam" --brown="$TMP/brown" --work="$TMP/ot" --seeds=1 --spam_limit=100 --pos_limit=40 --bin="$BINDIR" \
  --finetune_args="--epochs=1 --max_seq_length=64"
grep -q "| pretrained (mean of runs) |" "$TMP/ot/table.md" && grep -q "difference (pretrained - untrained)" "$TMP/ot/table.md" \
  && grep -q "spam (F1)" "$TMP/ot/table.md" && grep -q "brown-pos (acc)" "$TMP/ot/table.md" \
  && pass "the table has both tasks, both models and the difference" || fail "own_tasks table: $(head -4 "$TMP/ot/table.md")"
expect_error "own_tasks.sh without converted data" "no conll/DONE \(make it with scripts/get_brown.sh" \
  scripts/own_tasks.sh --model="$MODEL" --untrained="$MODEL" --spam="$TMP/spam" --brown="$TMP/nowhere" --bin="$BINDIR"
expect_error "own_tasks.sh bad limit" "--pos_limit=0 is not a positive whole number" \
  scripts/own_tasks.sh --model="$MODEL" --untrained="$MODEL" --spam="$TMP/spam" --brown="$TMP/brown" --pos_limit=0
finish
