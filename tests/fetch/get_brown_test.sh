#!/usr/bin/env bash
# scripts/get_brown.sh --corpus_dir (offline) on files written here in the Brown corpus's Form C
# layout (c<genre><nn>, tab-indented `word/tag` sentences, blank lines between paragraphs): tags
# stripped, the split by place in each genre (last file reserved for tagging, second-to-last
# held out), text shard_corpus reads, and every bad input named with its file and line or byte.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
GET_BROWN=scripts/get_brown.sh
SHARD=$(bin corpus/shard_corpus)
VOCAB=data/vocab/bert-base-uncased-vocab.txt
C="$TMP/corpus"
mkdir -p "$C"
brown_file() {  # NAME WORD: two paragraphs, three sentences, a word with '/' and Brown's quotes
  printf '\n\n\tThe/at %s/nn-tl said/vbd ``/`` no/at evidence/nn '"''"'/'"''"' ./.\n\n\n\tIt/pps was/bedz 1-1/2/cd miles/nns ./.\n\tFine/jj ./.\n\n\n\tEnd/nn of/in %s/np ./.\n' "$2" "$1" >"$C/$1"
}
for f in ca01 ca02 ca03 ca04 cb01 cb02 cb03; do brown_file "$f" "word_$f"; done
printf 'not a corpus file\n' >"$C/README"

O="$TMP/out"
expect_ok "convert" "$GET_BROWN" "$O" --corpus_dir="$C"
T="$O/text"
expect_eq "one pretraining file per genre" "$(ls "$T/pretrain" | tr '\n' ' ')" "brown_a.txt brown_b.txt "
expect_eq "pretraining: all but the last two files of each genre" \
  "$(grep -o 'word_c..[0-9]*' "$T"/pretrain/*.txt | sed 's/.*word_//' | sort -u | tr '\n' ' ')" "ca01 ca02 cb01 "
expect_eq "held-out: the second-to-last file of each genre" \
  "$(grep -o 'word_c..[0-9]*' "$T/heldout/brown_heldout.txt" | sed 's/.*word_//' | sort -u | tr '\n' ' ')" "ca03 cb02 "
grep -rq 'word_ca04\|word_cb03' "$T" --include='*.txt' && fail "a reserved file leaked into the text" ||
  pass "the last file of each genre (tagging dev/test) is in no text"
python3 -c "import json,sys; d=json.load(open('$T/DONE')); assert d['reserved_for_tagging']==['ca04','cb03'] and d['pretrain']['documents']==3 and d['heldout']['documents']==2, d" &&
  pass "DONE records the split and the counts" || fail "DONE: $(cat "$T/DONE")"
expect_eq "a sentence per line, tags stripped, quotes as \", a '/' inside a word kept" \
  "$(sed -n 1,4p "$T/pretrain/brown_a.txt")" "$(printf 'The word_ca01 said " no evidence " .\nIt was 1-1/2 miles .\nFine .\nEnd of ca01 .')"
expect_eq "a blank line after each file (one document per file)" "$(grep -c '^$' "$T/pretrain/brown_a.txt")" 2
[ -z "$(find "$O" -name '*.part')" ] && pass "no .part files left" || fail "a .part file was left"
expect_ok "shard_corpus accepts the text" "$SHARD" --input="$T/pretrain/*.txt" --vocab="$VOCAB" \
  --output_dir="$TMP/shards" --num_shards=1
grep -q "documents: 3" "$TMP"/shards/shard_spec-*.pbtxt && pass "shard_corpus sees 3 documents" ||
  fail "spec: $(head -20 "$TMP"/shards/shard_spec-*.pbtxt)"

# Bad input: each named, and the earlier complete output left as it was.
before=$(cat "$T"/pretrain/*.txt | md5sum)
cp -r "$C" "$TMP/bad1"; printf '\tA/at untagged word/nn\n' >>"$TMP/bad1/cb02"
expect_error "a token without a tag: file and line" "bad1/cb02:11: token 'untagged' is not word/tag" \
  "$GET_BROWN" "$O" --corpus_dir="$TMP/bad1"
cp -r "$C" "$TMP/bad2"; printf '\tCaf\xe9/nn ./.\n' >>"$TMP/bad2/ca02"
expect_error "invalid UTF-8: file and byte offset" "bad2/ca02: invalid UTF-8 at byte offset 1[0-9][0-9]" \
  "$GET_BROWN" "$O" --corpus_dir="$TMP/bad2"
mkdir -p "$TMP/bad3"; cp "$C/ca01" "$C/ca02" "$TMP/bad3"
expect_error "a genre too small to split" "genre 'a' has 2 file\(s\)" "$GET_BROWN" "$O" --corpus_dir="$TMP/bad3"
mkdir -p "$TMP/empty"
expect_error "no corpus files" "empty: no Brown corpus files" "$GET_BROWN" "$O" --corpus_dir="$TMP/empty"
expect_error "a missing directory" "nowhere: not a directory" "$GET_BROWN" "$O" --corpus_dir="$TMP/nowhere"
expect_error "an unknown flag" "unknown flag --corpus" "$GET_BROWN" "$O" --corpus="$C"
expect_eq "failed runs left the earlier text unchanged" "$(cat "$T"/pretrain/*.txt | md5sum)" "$before"
finish
