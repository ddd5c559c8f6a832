#!/usr/bin/env bash
# Every tool rejects unknown, missing and out-of-range flags with a message that names the flag,
# and exits non-zero.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
declare -A BIN=(
  [encode]=tokenizer/encode [build_vocab]=tokenizer/build_vocab [shard_corpus]=corpus/shard_corpus
  [inspect]=corpus/inspect [pretrain]=train/pretrain [finetune]=glue/finetune [evaluate]=eval/evaluate
  [write_tsv]=glue/write_tsv [task_text]=glue/task_text
)
for tool in "${!BIN[@]}"; do
  b=$(bin "${BIN[$tool]}")
  expect_error "$tool: unknown flag" "Unknown command line flag 'no_such_flag'" "$b" --no_such_flag=1
  numeric=$(case $tool in inspect) echo show ;; evaluate) echo "" ;; write_tsv) echo zip ;; task_text) echo examples_per_document ;; finetune) echo runs ;; pretrain) echo steps ;; *) echo threads ;; esac)
  if [ -n "$numeric" ]; then
    expect_error "$tool: malformed value of --$numeric" "Illegal value 'lots' specified for flag '$numeric'" "$b" --"$numeric"=lots
  fi
  "$b" --help >"$TMP/help" 2>&1
  grep -q -- "--" "$TMP/help" && pass "$tool: --help lists flags" || fail "$tool: --help"
done
V=data/vocab/bert-base-uncased-vocab.txt
# Missing required flags.
expect_error "encode: missing --vocab" "--vocab: is required" "$(bin tokenizer/encode)"
expect_error "build_vocab: missing --input" "--input: is required" "$(bin tokenizer/build_vocab)" --output=x
expect_error "shard_corpus: missing --vocab" "--vocab: is required" "$(bin corpus/shard_corpus)" --input=$V --output_dir="$TMP/o"
expect_error "inspect: missing files" "no files given" "$(bin corpus/inspect)"
expect_error "pretrain: missing --data" "--data: is required" "$(bin train/pretrain)" --output_dir="$TMP/p"
expect_error "pretrain: missing --output_dir" "--output_dir: is required" "$(bin train/pretrain)" --data=x
expect_error "finetune: missing --task" "--task: is required" "$(bin glue/finetune)"
expect_error "evaluate: missing --results_dir" "--results_dir: is required" "$(bin eval/evaluate)"
expect_error "write_tsv: missing --output_dir" "--output_dir: is required" "$(bin glue/write_tsv)" --results_dir=x
expect_error "task_text: missing --tasks" "--tasks: is required" "$(bin glue/task_text)" --output="$TMP/t.txt"
expect_error "task_text: missing --output" "--output: is required" "$(bin glue/task_text)" --tasks=RTE
expect_error "task_text: unknown task" "unknown GLUE task 'RTX' .choose from CoLA, SST-2" "$(bin glue/task_text)" --tasks=RTX --output="$TMP/t.txt"
expect_error "task_text: --examples_per_document=0" "examples_per_document must be at least 1" \
  "$(bin glue/task_text)" --tasks=RTE --output="$TMP/t.txt" --examples_per_document=0
expect_ok "task_text: RTE's training text" "$(bin glue/task_text)" --tasks=RTE --data_dir=data/glue --output="$TMP/t.txt"
[ "$(grep -c . "$TMP/t.txt")" = 4980 ] && grep -q "RTE: 2490 training examples" "$TMP/stderr" \
  && pass "task_text: two lines per RTE pair" || fail "task_text: $(grep -c . "$TMP/t.txt") lines; $(cat "$TMP/stderr")"
# Out-of-range values.
expect_error "encode: --threads=0" "--threads: must be between 1 and 1024" "$(bin tokenizer/encode)" --vocab=$V --threads=0
expect_error "build_vocab: --vocab_size=-5" "--vocab_size: must be between" "$(bin tokenizer/build_vocab)" --input=$V --output="$TMP/v" --vocab_size=-5
expect_error "build_vocab: --min_frequency=-1" "--min_frequency: must be >= 0" "$(bin tokenizer/build_vocab)" --input=$V --output="$TMP/v" --min_frequency=-1
expect_error "shard_corpus: --max_seq_length=3" "--max_seq_length: must be between 5 and 65536" "$(bin corpus/shard_corpus)" --input=$V --vocab=$V --output_dir="$TMP/o" --max_seq_length=3
expect_error "shard_corpus: --num_jobs=0" "--num_jobs: must be at least 1" "$(bin corpus/shard_corpus)" --input=$V --vocab=$V --output_dir="$TMP/o" --num_jobs=0
expect_error "inspect: --show=-1" "--show: must be >= 0" "$(bin corpus/inspect)" --show=-1 x
expect_error "pretrain: --lr=-0.5" "--lr: must be positive" "$(bin train/pretrain)" --data=x --output_dir="$TMP/p" --lr=-0.5 --size=tiny
expect_error "pretrain: --steps=0" "--steps: must be at least 1" "$(bin train/pretrain)" --data=x --output_dir="$TMP/p" --steps=0
expect_error "pretrain: --mask_prob=1.5" "--mask_prob: must be in \(0, 1\)" "$(bin train/pretrain)" --data=x --output_dir="$TMP/p" --mask_prob=1.5
expect_error "pretrain: --dropout=1" "--dropout: must be in \[0, 1\)" "$(bin train/pretrain)" --data=x --output_dir="$TMP/p" --dropout=1
expect_error "pretrain: --keep=0" "--keep: must be at least 1" "$(bin train/pretrain)" --data=x --output_dir="$TMP/p" --keep=0
expect_error "pretrain: --device=tpu" "--device: must be auto, cpu or cuda" "$(bin train/pretrain)" --data="$V" --output_dir="$TMP/p" --device=tpu --vocab=$V
expect_error "pretrain: --temperature=0" "--temperature: must be positive" "$(bin train/pretrain)" --data=x --output_dir="$TMP/p" --temperature=0
expect_error "finetune: --epochs=-5" "--epochs: must be at least 1" "$(bin glue/finetune)" --task=RTE --data_dir=data/glue --model=data/models/electra-small-discriminator --output_dir="$TMP/f" --epochs=-5
expect_error "finetune: --runs=0" "--runs: must be at least 1" "$(bin glue/finetune)" --task=RTE --data_dir=data/glue --model=x --output_dir="$TMP/f" --runs=0
expect_error "finetune: --warmup_fraction=2" "--warmup_fraction: must be in \[0, 1\]" "$(bin glue/finetune)" --task=RTE --data_dir=data/glue --model=x --output_dir="$TMP/f" --warmup_fraction=2
expect_error "finetune: --max_seq_length=4" "--max_seq_length: must be in \[8, 512\]" "$(bin glue/finetune)" --task=RTE --data_dir=data/glue --model=x --output_dir="$TMP/f" --max_seq_length=4
expect_error "evaluate: --aggregate=mode" "--aggregate: must be auto, median or mean" "$(bin eval/evaluate)" --results_dir=x --aggregate=mode
expect_error "write_tsv: --select=run-x" "--select: run-K needs a number" "$(bin glue/write_tsv)" --results_dir="$TMP" --output_dir="$TMP/w" --select=run-x
finish
