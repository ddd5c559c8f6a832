#!/usr/bin/env bash
# Our record files against an independent TFRecord implementation (npm @roboflow/tfrecords,
# installed by scripts/setup.sh): its files read back correctly here, and ours read back there.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
INSPECT=$(bin corpus/inspect)
SHARD=$(bin corpus/shard_corpus)
NODE=$(command -v node || true)
if [ -z "$NODE" ] || [ ! -d tests/node/node_modules/@roboflow/tfrecords ]; then
  fail "node and tests/node/node_modules/@roboflow/tfrecords are needed (run scripts/setup.sh)"
  finish
  exit 1
fi

# Theirs -> ours.
node tests/golden/tfrecord_interop.js write "$TMP/theirs.tfrecord" 7 >"$TMP/theirs.expected"
expect_ok "inspect reads and verifies their file" "$INSPECT" --show=7 "$TMP/theirs.tfrecord"
grep -q "theirs.tfrecord: 7 records" "$TMP/stdout" && pass "record count" || fail "count: $(head -1 "$TMP/stdout")"
tail -n +2 "$TMP/stdout" | sed -E 's/^ +[0-9]+ tokens \(of 16\): //; s/ \|//g' >"$TMP/theirs.ours"
expect_eq "their ids read back here" "$(cat "$TMP/theirs.ours")" "$(cat "$TMP/theirs.expected")"

# Ours -> theirs.
"$SHARD" --input=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt --vocab=data/vocab/bert-base-uncased-vocab.txt \
  --output_dir="$TMP/shards" 2>/dev/null
ours="$TMP/shards/pretrain_data.tfrecord-00000-of-00001"
node tests/golden/tfrecord_interop.js read "$ours" >"$TMP/node.out" 2>"$TMP/node.err"
n=$(grep -o 'examples: [0-9]*' "$TMP/shards/shard_spec-00000-of-00001.pbtxt" | awk '{print $2}')
expect_eq "their reader finds all our records" "$(head -1 "$TMP/node.out")" "records $n"
"$INSPECT" --show=1000000 "$ours" | tail -n +2 | sed -E 's/^ +[0-9]+ tokens \(of 128\): //; s/ \|//g' >"$TMP/ours.ids"
expect_eq "our ids read back there" "$(tail -n +2 "$TMP/node.out" | md5sum)" "$(md5sum <"$TMP/ours.ids")"
finish
