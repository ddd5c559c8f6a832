#!/usr/bin/env bash
# shard_corpus and inspect from the command line: outputs, refusals and every bad input.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
SHARD=$(bin corpus/shard_corpus)
INSPECT=$(bin corpus/inspect)
VOCAB=data/vocab/bert-base-uncased-vocab.txt
BOOK=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt

expect_ok "shard_corpus" "$SHARD" --input=$BOOK --vocab=$VOCAB --output_dir="$TMP/out" --num_shards=2
expect_eq "two shards and a spec" "$(ls "$TMP/out" | paste -sd' ')" \
  "pretrain_data.tfrecord-00000-of-00002 pretrain_data.tfrecord-00001-of-00002 shard_spec-00000-of-00001.pbtxt"
expect_ok "inspect verifies the shards" "$INSPECT" --vocab=$VOCAB "$TMP/out/pretrain_data.tfrecord-00000-of-00002" "$TMP/out/pretrain_data.tfrecord-00001-of-00002"
grep -q "records" "$TMP/stdout" && grep -q "\[CLS\]" "$TMP/stdout" && pass "inspect shows counts and decoded examples" || fail "inspect output: $(head -3 "$TMP/stdout")"
records=$(grep -o '[0-9]* records' "$TMP/stdout" | awk '{s += $1} END {print s}')
expect_eq "records equal the spec's count" "$records" "$(grep '^examples:' "$TMP/out/shard_spec-00000-of-00001.pbtxt" | awk '{print $2}')"

expect_error "refuses a directory with shards" "already holds shards .*--overwrite" "$SHARD" --input=$BOOK --vocab=$VOCAB --output_dir="$TMP/out"
expect_ok "--overwrite replaces them" "$SHARD" --input=$BOOK --vocab=$VOCAB --output_dir="$TMP/out" --overwrite

# Corruption and truncation: inspect names the file and the byte offset and exits non-zero.
cp "$TMP/out/pretrain_data.tfrecord-00000-of-00001" "$TMP/flip.tfrecord"
printf '\x55' | dd of="$TMP/flip.tfrecord" bs=1 seek=300 conv=notrunc 2>/dev/null
expect_error "inspect reports a flipped byte" "flip.tfrecord: data checksum mismatch|corrupt record at byte offset [0-9]+ of .*flip.tfrecord" "$INSPECT" "$TMP/flip.tfrecord"
size=$(stat -c %s "$TMP/out/pretrain_data.tfrecord-00000-of-00001")
head -c $((size - 10)) "$TMP/out/pretrain_data.tfrecord-00000-of-00001" >"$TMP/cut.tfrecord"
expect_error "inspect reports truncation" "truncated record at byte offset [0-9]+ of .*cut.tfrecord" "$INSPECT" "$TMP/cut.tfrecord"
expect_error "inspect --skip_corrupt still fails but counts" "corrupt records were skipped" "$INSPECT" --skip_corrupt "$TMP/cut.tfrecord"
grep -q "skipped: 1 corrupt record" "$TMP/stdout" && pass "skip count printed" || fail "skip count: $(cat "$TMP/stdout")"
expect_error "inspect missing file" "cannot open .*nope.tfrecord" "$INSPECT" "$TMP/nope.tfrecord"
expect_error "inspect without files" "no files given" "$INSPECT"

# Bad input to shard_corpus.
: >"$TMP/empty.txt"
expect_error "empty input" "empty.txt: input file is empty" "$SHARD" --input="$TMP/empty.txt" --vocab=$VOCAB --output_dir="$TMP/e1"
printf 'caf\xe9\n' >"$TMP/latin.txt"
expect_error "non-UTF-8 input" "latin.txt: not UTF-8 text \(invalid byte 0xe9 at byte offset 3\)" "$SHARD" --input="$TMP/latin.txt" --vocab=$VOCAB --output_dir="$TMP/e2"
printf '[PAD]\n[UNK]\nhello\n' >"$TMP/nocls.txt"
expect_error "vocab without [CLS]/[SEP]" "lacks \[CLS\] or \[SEP\]" "$SHARD" --input=$BOOK --vocab="$TMP/nocls.txt" --output_dir="$TMP/e3"
expect_error "missing --output_dir" "--output_dir: is required" "$SHARD" --input=$BOOK --vocab=$VOCAB
expect_error "bad --num_shards" "--num_shards: must be between" "$SHARD" --input=$BOOK --vocab=$VOCAB --output_dir="$TMP/e4" --num_shards=0
expect_error "bad --job_index" "--job_index: must be in" "$SHARD" --input=$BOOK --vocab=$VOCAB --output_dir="$TMP/e5" --num_jobs=2 --job_index=2
expect_error "unknown flag" "Unknown command line flag 'shards'" "$SHARD" --shards=3
expect_error "missing input file" "no such file: .*none.txt" "$SHARD" --input="$TMP/none.txt" --vocab=$VOCAB --output_dir="$TMP/e6"
mkdir -p "$TMP/ro" && chmod 500 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
  expect_error "unwritable output directory" "cannot create" "$SHARD" --input=$BOOK --vocab=$VOCAB --output_dir="$TMP/ro/x"
fi
expect_error "output path is a file" "exists and is not a directory|cannot create" "$SHARD" --input=$BOOK --vocab=$VOCAB --output_dir="$BOOK"
for d in e1 e2 e3; do
  [ -z "$(ls -A "$TMP/$d" 2>/dev/null)" ] && pass "no shard left in $d" || fail "$d holds $(ls "$TMP/$d")"
done
finish
