#!/usr/bin/env bash
# The fetched data runs through the tools: OpenWebText-format text from get_openwebtext.sh is sharded
# and pretrains a tiny model for one step, and finetune reads every task get_glue.sh fetched (all nine,
# MNLI with AX) from a local HTTP server.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
source tests/fetch/helpers.sh
SHARD=$(bin corpus/shard_corpus)
PRETRAIN=$(bin train/pretrain)
FINETUNE=$(bin glue/finetune)
make_fixtures
start_plain_server "$FIXTURES"

expect_ok "get_openwebtext.sh" scripts/get_openwebtext.sh "$TMP/owt" --base_url="$URL/www" --checksums="$FIXTURES/owt_checksums.txt" --threads=2
expect_ok "shard_corpus on the converted text" "$SHARD" --input="$TMP/owt/text/*.txt" --vocab=data/vocab/bert-base-uncased-vocab.txt \
  --output_dir="$TMP/shards" --num_shards=2
expect_ok "pretrain one step on the shards" "$PRETRAIN" --data="$TMP/shards/pretrain_data.tfrecord-*" --output_dir="$TMP/pt" \
  --size=tiny --steps=1 --batch_size=8 --threads=2 --device=cpu
MODEL="$TMP/pt/checkpoints/step-00000001/discriminator"

expect_ok "get_glue.sh" scripts/get_glue.sh "$TMP/glue" --base_url="$URL/www" --checksums="$FIXTURES/glue_checksums.txt"
R="$TMP/results"
for task in CoLA SST-2 MRPC STS-B QQP MNLI QNLI RTE WNLI; do
  expect_ok "finetune reads the fetched $task" "$FINETUNE" --task=$task --data_dir="$TMP/glue" --model="$MODEL" \
    --output_dir="$R" --train_limit=16 --epochs=1 --threads=2 --device=cpu
  [ -f "$R/$task/run-0/metrics.json" ] && [ -f "$R/$task/run-0/DONE" ] && pass "$task: a finished run" || fail "$task: $(ls "$R/$task/run-0" 2>&1)"
done
expect_eq "MRPC dev predictions cover its dev split" "$(($(wc -l <"$R/MRPC/run-0/dev_predictions.tsv") - 1))" 10
[ -f "$R/MNLI/run-0/ax_outputs.tsv" ] && expect_eq "AX predicted from diagnostic/diagnostic.tsv" \
  "$(($(wc -l <"$R/MNLI/run-0/ax_outputs.tsv") - 1))" "$(($(wc -l <"$TMP/glue/diagnostic/diagnostic.tsv") - 1))" || fail "no AX outputs"
finish
