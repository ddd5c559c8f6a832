#!/usr/bin/env bash
# finetune -> evaluate -> write_tsv on the bundled GLUE tasks (slices, tiny model) and on MNLI,
# QQP and AX files in their exact format; the fine-tuned tiny model beats the majority class on
# SST-2 dev; every bad-input path.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
BUILD_VOCAB=$(bin tokenizer/build_vocab)
SHARD=$(bin corpus/shard_corpus)
PRETRAIN=$(bin train/pretrain)
FINETUNE=$(bin glue/finetune)
EVALUATE=$(bin eval/evaluate)
WRITE_TSV=$(bin glue/write_tsv)
PROBE=$(bin glue/probe)

# A tiny model directory (one pretraining step: the initial weights, HF layout, with vocab.txt).
"$BUILD_VOCAB" --input="$(ls data/corpus/gutenberg/*.txt | paste -sd,)" --output="$TMP/vocab.txt" --vocab_size=4000 2>/dev/null
"$SHARD" --input=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt --vocab="$TMP/vocab.txt" --output_dir="$TMP/shards" 2>/dev/null
"$PRETRAIN" --data="$TMP/shards/*.tfrecord*" --output_dir="$TMP/pt" --size=tiny --steps=1 --batch_size=8 2>/dev/null
MODEL="$TMP/pt/checkpoints/step-00000001/discriminator"
[ -f "$MODEL/vocab.txt" ] && pass "the model directory carries its vocabulary" || fail "no vocab.txt in $MODEL"
mkdir -p "$TMP/data"
for t in CoLA SST-2 MRPC STS-B RTE WNLI QNLI; do ln -s "$(pwd)/data/glue/$t" "$TMP/data/$t"; done
for t in MNLI QQP diagnostic; do ln -s "$(pwd)/tests/glue_fixtures/$t" "$TMP/data/$t"; done
R="$TMP/results"
FT=(--data_dir="$TMP/data" --model="$MODEL" --output_dir="$R" --threads=2)

expect_ok "SST-2 on a 4000-example slice" "$FINETUNE" --task=SST-2 "${FT[@]}" --train_limit=4000 --lr=1e-3 --save_model
acc=$(python3 -c "import json; print(json.load(open('$R/SST-2/run-0/metrics.json'))['metrics']['accuracy'])")
majority=$(awk -F'\t' 'NR>1 {c[$2]++; n++} END {m=0; for (k in c) if (c[k]>m) m=c[k]; printf "%.4f", 100*m/n}' data/glue/SST-2/dev.tsv)
python3 -c "import sys; sys.exit(0 if $acc > $majority + 3 else 1)" && pass "SST-2 dev accuracy $acc beats the majority class ($majority)" \
  || fail "SST-2 dev accuracy $acc does not beat the majority class ($majority)"
expect_eq "dev predictions cover the dev set" "$(($(wc -l <"$R/SST-2/run-0/dev_predictions.tsv") - 1))" 872
expect_eq "test outputs cover the test set" "$(($(wc -l <"$R/SST-2/run-0/test_outputs.tsv") - 1))" 1821

for t in CoLA MRPC STS-B RTE WNLI; do
  expect_ok "$t, two runs on a slice" "$FINETUNE" --task=$t "${FT[@]}" --train_limit=64 --dev_limit=50 --epochs=1 --runs=2
done
grep -q '"pearson"' "$R/STS-B/run-1/metrics.json" && grep -q '"spearman"' "$R/STS-B/run-1/metrics.json" && pass "STS-B metrics" || fail "STS-B metrics"
grep -q '"train_examples": 128' "$R/MRPC/run-0/metrics.json" && pass "MRPC pairs doubled with A and B swapped" || fail "MRPC doubling"
awk -F'\t' 'NR>1 && ($2 < 0 || $2 > 5) {bad=1} END {exit bad}' "$R/STS-B/run-0/dev_predictions.tsv" && pass "STS-B predictions clamped to [0, 5]" || fail "STS-B clamp"
expect_ok "MNLI (with AX) in the exact GLUE format" "$FINETUNE" --task=MNLI "${FT[@]}" --epochs=1
ls "$R/MNLI/run-0/dev_matched_predictions.tsv" "$R/MNLI/run-0/dev_mismatched_predictions.tsv" "$R/MNLI/run-0/ax_outputs.tsv" >/dev/null 2>&1 \
  && pass "MNLI matched, mismatched and AX outputs" || fail "MNLI outputs: $(ls "$R/MNLI/run-0")"
expect_ok "QQP drops incomplete rows" "$FINETUNE" --task=QQP "${FT[@]}" --epochs=1
grep -q "dropped 2 incomplete row" "$TMP/stderr" && pass "QQP says what it dropped" || fail "QQP drop message: $(cat "$TMP/stderr" | head -2)"
start=$(date +%s%N)
expect_ok "finished runs are skipped" "$FINETUNE" --task=CoLA "${FT[@]}" --train_limit=64 --dev_limit=50 --epochs=1 --runs=2
grep -q "run 1: already done" "$TMP/stderr" && pass "rerun says it skipped" || fail "skip message"

expect_ok "evaluate" "$EVALUATE" --results_dir="$R"
grep -q "| ours (median of runs) |" "$TMP/stdout" && grep -q "ELECTRA-Small-OWT, official" "$TMP/stdout" && pass "Markdown table with the reference row" || fail "table: $(head -5 "$TMP/stdout")"
grep -q "| CoLA | 2 |" "$TMP/stdout" && pass "per-task statistics over runs" || fail "stats table"
python3 -c "import json; d = json.load(open('$R/glue_results.json')); assert d['tasks']['MNLI-mm']['runs'] == 1" && pass "JSON results" || fail "JSON"
expect_ok "evaluate as JSON" "$EVALUATE" --results_dir="$R" --format=json --aggregate=mean --reference=none

expect_ok "write_tsv (best run per task)" "$WRITE_TSV" --results_dir="$R" --output_dir="$TMP/sub"
for f in CoLA SST-2 MRPC STS-B QQP MNLI-m MNLI-mm QNLI RTE WNLI AX; do
  [ "$f" = QNLI ] && continue
  [ "$(head -1 "$TMP/sub/$f.tsv")" = "$(printf 'index\tprediction')" ] && pass "$f.tsv header" || fail "$f.tsv header"
done
grep -q "skipped QNLI.tsv (no QNLI test outputs)" "$TMP/stderr" && pass "tasks without data are reported" || fail "QNLI report"
expect_eq "CoLA rows" "$(($(wc -l <"$TMP/sub/CoLA.tsv") - 1))" 1063
awk -F'\t' 'NR>1 && $2 != "entailment" && $2 != "neutral" && $2 != "contradiction" {bad=1} END {exit bad}' "$TMP/sub/AX.tsv" && pass "AX labels" || fail "AX labels"
awk -F'\t' 'NR>1 && $2 != "entailment" && $2 != "not_entailment" {bad=1} END {exit bad}' "$TMP/sub/RTE.tsv" && pass "RTE labels" || fail "RTE labels"
awk -F'\t' 'NR>1 && $2 !~ /^[0-5]\.[0-9][0-9][0-9]$/ {bad=1} END {exit bad}' "$TMP/sub/STS-B.tsv" && pass "STS-B floats" || fail "STS-B format"
unzip -t "$TMP/sub/submission.zip" >/dev/null && pass "submission.zip is a valid zip" || fail "zip"
expect_eq "zip holds every written file" "$(unzip -Z1 "$TMP/sub/submission.zip" | wc -l)" 10
expect_ok "write_tsv --select=ensemble" "$WRITE_TSV" --results_dir="$R" --output_dir="$TMP/ens" --select=ensemble
expect_ok "write_tsv --select=run-1" "$WRITE_TSV" --results_dir="$R" --output_dir="$TMP/run1" --select=run-1
grep -q "skipped SST-2.tsv" "$TMP/stderr" && pass "run-1 exists only for some tasks" || fail "run-1 report"

# Bad input.
expect_error "unknown task" "--task: unknown GLUE task 'SST2'" "$FINETUNE" --task=SST2 "${FT[@]}"
expect_error "not a model directory" "--model: .* is not a model directory" "$FINETUNE" --task=RTE --data_dir="$TMP/data" --model="$TMP" --output_dir="$R"
expect_error "no training data" "no training data for QNLI" "$FINETUNE" --task=QNLI "${FT[@]}"
mkdir -p "$TMP/baddata/SST-2" && cp data/glue/SST-2/dev.tsv "$TMP/baddata/SST-2/"
printf 'sentence\tlabel\na fine film\t1\nbroken row without label\n' >"$TMP/baddata/SST-2/train.tsv"
expect_error "malformed row names file and line" "train.tsv:3: malformed SST-2 row" "$FINETUNE" --task=SST-2 --data_dir="$TMP/baddata" --model="$MODEL" --output_dir="$TMP/x"
expect_ok "--skip_malformed skips and counts" "$FINETUNE" --task=SST-2 --data_dir="$TMP/baddata" --model="$MODEL" --output_dir="$TMP/x" --skip_malformed --epochs=1 --dev_limit=10
grep -q "skipped 1 malformed row" "$TMP/stderr" && pass "malformed rows counted" || fail "count: $(cat "$TMP/stderr")"
"$BUILD_VOCAB" --input=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt --output="$TMP/v500.txt" --vocab_size=500 2>/dev/null
expect_error "vocabulary that does not fit the model" "has 500 tokens but the model's vocab_size is 4000" "$FINETUNE" --task=RTE "${FT[@]}" --vocab="$TMP/v500.txt"
expect_error "missing flag" "--model: is required" "$FINETUNE" --task=RTE --data_dir="$TMP/data" --output_dir="$R"
expect_error "evaluate without results" "no finished fine-tuning runs" "$EVALUATE" --results_dir="$TMP/data"
expect_error "evaluate bad reference" "--reference: must be" "$EVALUATE" --results_dir="$R" --reference=bert
expect_error "write_tsv bad select" "--select: must be best, ensemble or run-K" "$WRITE_TSV" --results_dir="$R" --output_dir="$TMP/y" --select=worst

# The table says which metric scores each task, and holds both reference rows, each beside our
# row aggregated its way.
expect_ok "evaluate with both reference rows" "$EVALUATE" --results_dir="$R"
grep -q "| CoLA (MCC) | SST-2 (acc) | MRPC (acc) | STS-B (Spearman) |" "$TMP/stdout" && pass "columns name their metric" || fail "header: $(head -1 "$TMP/stdout")"
grep -q "| ours (mean of runs) |" "$TMP/stdout" && grep -q "PyTorch replication (mean of 10 runs)" "$TMP/stdout" \
  && grep -q "official (1M steps; median of >= 10 runs)" "$TMP/stdout" && pass "official and seed rows, each aggregated its way" \
  || fail "reference rows: $(cat "$TMP/stdout" | head -12)"
python3 - "$R" <<'PY' && pass "MRPC scored by accuracy, STS-B by Spearman" || fail "task scores"
import json, sys
d = json.load(open(sys.argv[1] + "/glue_results.json"))
for task, metric in (("MRPC", "accuracy"), ("STS-B", "spearman"), ("CoLA", "mcc")):
    t = d["tasks"][task]
    assert t["metric"] == metric, t
    assert t["scores"] == t["metrics"][metric], (t["scores"], t["metrics"])
PY

# The recipe's options, recorded with each run.
python3 -c "
import json; f = json.load(open('$R/STS-B/run-0/flags.json'))
assert f['weight_decay'] == 0.01 and f['loss_reduction'] == 'sum' and f['regression_target_scale'] == 0.2, f
assert f['lowercase'] is True and f['lowercase_from'].endswith('tokenizer_config.json'), f" && pass "official defaults recorded in flags.json" || fail "flags.json: $(cat "$R/STS-B/run-0/flags.json")"
expect_ok "the seed's options" "$FINETUNE" --task=STS-B "${FT[@]}" --output_dir="$TMP/seedopts" --train_limit=64 --dev_limit=50 --epochs=1 \
  --weight_decay=0 --loss_reduction=mean --noscale_regression_targets
python3 -c "
import json; f = json.load(open('$TMP/seedopts/STS-B/run-0/flags.json'))
assert f['weight_decay'] == 0 and f['loss_reduction'] == 'mean' and f['regression_target_scale'] == 1, f" && pass "seed options recorded" || fail "seed flags"
awk -F'\t' 'NR>1 && ($2 < 0 || $2 > 5) {bad=1} END {exit bad}' "$TMP/seedopts/STS-B/run-0/dev_predictions.tsv" && pass "raw-target STS-B still on 0-5" || fail "raw STS-B range"
expect_error "bad --loss_reduction" "--loss_reduction: must be sum" "$FINETUNE" --task=RTE "${FT[@]}" --loss_reduction=max
expect_error "bad --weight_decay" "--weight_decay: must be >= 0" "$FINETUNE" --task=RTE "${FT[@]}" --weight_decay=-1

# Casing comes from the model directory.
grep -q '"do_lower_case": true' "$MODEL/tokenizer_config.json" && pass "the checkpoint records do_lower_case" || fail "no do_lower_case in $MODEL"
CASE=(--task=RTE --data_dir="$TMP/data" --output_dir="$TMP/casing" --train_limit=16 --dev_limit=8 --test_limit=8 --epochs=1)
expect_error "a flag that contradicts the checkpoint" "--lowercase=false contradicts .*/tokenizer_config.json \(do_lower_case: true\)" \
  "$FINETUNE" "${CASE[@]}" --model="$MODEL" --lowercase=false
expect_ok "--force_casing overrides it" "$FINETUNE" "${CASE[@]}" --model="$MODEL" --lowercase=false --force_casing
grep -q '"lowercase_from": "--lowercase (forced)"' "$TMP/casing/RTE/run-0/flags.json" && pass "forced casing recorded" || fail "forced casing: $(cat "$TMP/casing/RTE/run-0/flags.json")"
expect_ok "an agreeing flag is fine" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/casing2" --model="$MODEL" --lowercase=true
CASED="$TMP/cased_model"
cp -r "$MODEL" "$CASED" && rm "$CASED/manifest.json"
printf '{"do_lower_case": false}\n' >"$CASED/tokenizer_config.json"
expect_ok "a cased checkpoint is fine-tuned cased" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/casing3" --model="$CASED"
grep -q '"lowercase": false' "$TMP/casing3/RTE/run-0/flags.json" && pass "casing taken from the checkpoint" || fail "cased: $(cat "$TMP/casing3/RTE/run-0/flags.json")"
expect_error "...and --lowercase contradicts it" "--lowercase=true contradicts .*cased_model/tokenizer_config.json \(do_lower_case: false\)" \
  "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/casing4" --model="$CASED" --lowercase
rm "$CASED/tokenizer_config.json"
expect_ok "no tokenizer settings: the old default, with a note" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/casing5" --model="$CASED"
grep -q "records no do_lower_case" "$TMP/stderr" && grep -q '"lowercase": true' "$TMP/casing5/RTE/run-0/flags.json" \
  && pass "the note and the default" || fail "note: $(cat "$TMP/stderr" | head -3)"
printf 'not json' >"$CASED/tokenizer_config.json"
expect_error "a malformed tokenizer_config.json is named" "cased_model/tokenizer_config.json: not a JSON object" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/casing6" --model="$CASED"
expect_ok "--save_model" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/saved" --model="$MODEL" --save_model
cmp -s "$TMP/saved/RTE/run-0/model/vocab.txt" "$MODEL/vocab.txt" && grep -q '"do_lower_case": true' "$TMP/saved/RTE/run-0/model/tokenizer_config.json" \
  && pass "the saved model carries its vocabulary and casing" || fail "saved model: $(ls "$TMP/saved/RTE/run-0/model")"
# A masked LM alone (--objective=mlm) fine-tunes from its generator/ directory.
"$PRETRAIN" --data="$TMP/shards/*.tfrecord*" --output_dir="$TMP/mlm" --size=tiny --objective=mlm --steps=1 --batch_size=8 2>/dev/null
expect_ok "finetune an mlm checkpoint's encoder" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/from_mlm" --model="$TMP/mlm/checkpoints/step-00000001/generator"
grep -q '"accuracy"' "$TMP/from_mlm/RTE/run-0/metrics.json" && pass "mlm model fine-tuned" || fail "mlm fine-tuning"

# Precision: bf16 where the CPU has it natively (or emulated on request), never fp16 on the CPU.
if grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo; then
  expect_ok "finetune in bf16" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/bf16" --model="$MODEL" --precision=bf16
else
  expect_error "finetune: bf16 without native support" "--precision=bf16 needs a CPU with native bf16" \
    "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/bf16" --model="$MODEL" --precision=bf16
  expect_ok "finetune in emulated bf16" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/bf16" --model="$MODEL" --precision=bf16 --testing_emulated_bf16
fi
grep -q '"precision": "bf16"' "$TMP/bf16/RTE/run-0/flags.json" && pass "bf16 recorded" || fail "bf16 flags: $(cat "$TMP/bf16/RTE/run-0/flags.json")"
expect_error "finetune: fp16" "--precision: must be auto, fp32 or bf16" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/fp16" --model="$MODEL" --precision=fp16
# The linear probe: the SST-2-fine-tuned model's features hold the task, the untrained model's
# much less; the majority class is the floor both are shown against.
expect_ok "probe" "$PROBE" --model="$R/SST-2/run-0/model,$MODEL" --labels=fine-tuned,untrained \
  --data_dir="$TMP/data" --train_limit=400 --dev_limit=300 --threads=2 --json="$TMP/probe.json"
python3 - "$TMP/probe.json" <<'PY' && pass "probe: fine-tuned features beat untrained ones and the majority class" || fail "probe: $(cat "$TMP/probe.json")"
import json, sys
j = json.load(open(sys.argv[1]))
ft, un = j["rows"]
assert j["task"] == "SST-2" and j["train_examples"] == 400 and j["dev_examples"] == 300, j
assert ft["cls_accuracy"] > j["majority_accuracy"] + 10 and ft["cls_accuracy"] > un["cls_accuracy"] + 5, j
PY
grep -q "| majority class |" "$TMP/stdout" && pass "probe table has the majority-class row" || fail "probe table: $(cat "$TMP/stdout")"
expect_error "probe: a pair task" "single-sentence classification task" "$PROBE" --model="$MODEL" --task=RTE --data_dir="$TMP/data"
expect_error "probe: labels count" "--labels: needs one name per --model" "$PROBE" --model="$MODEL" --labels=a,b --data_dir="$TMP/data"
expect_error "probe: not a model directory" "--model: .*is not a model directory" "$PROBE" --model="$TMP" --data_dir="$TMP/data"
expect_ok "a saved model fine-tunes again" "$FINETUNE" "${CASE[@]}" --output_dir="$TMP/again" --model="$TMP/saved/RTE/run-0/model"
finish
