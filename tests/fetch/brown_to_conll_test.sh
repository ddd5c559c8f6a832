#!/usr/bin/env bash
# scripts/brown_to_conll.py, and scripts/get_brown.sh --corpus_dir writing DIR/conll (offline), on files
# written here in the Brown corpus's Form C layout (c<genre><nn>, tab-indented `word/tag` sentences,
# blank lines between paragraphs): base tags (decorations stripped), the split (the last file of each
# genre: first half dev, second half test), windows of a long sentence, DONE and tags.txt, and every
# bad input named with its file and line or byte.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
GET_BROWN=scripts/get_brown.sh
TO_CONLL=scripts/brown_to_conll.py
C="$TMP/corpus"
mkdir -p "$C"
brown_file() {  # NAME SENTENCE...: one sentence a line, two paragraphs
  local name="$1"; shift
  { printf '\n\n\t%s\n' "$1"; shift; printf '\n\n'; for s in "$@"; do printf '\t%s\n' "$s"; done; } >"$C/$name"
}
DECORATED="The/at-tl Fulton/np-tl Jury/nn-tl-hl Atlanta's/np\$-tl it's/pps+bez Des/fw-in+at-t le/fw-at"
DECORATED+=" au/fw-at+nn-tl You're/ppss+ber-n --/---hl (/(-hl aren't/ber*-nc \`\`/\`\` 1-1/2/cd ''/''"
DECORATED+=" Input/Output/jj-tl Hoc/fw-nn-tl-nc ./.-hl"
LONG=$(for i in $(seq 1 250); do printf 'w%d/nn ' "$i"; done)
brown_file ca01 "$DECORATED" "$LONG"
brown_file ca02 "Only/rb word_ca02/nn is/bez seven/cd words/nns long/jj ./."
brown_file ca03 "dev_ca03_1/nn ./." "dev_ca03_2/nn ./." "test_ca03_3/nn ./." "test_ca03_4/nn ./."
brown_file cb01 "word_cb01/nn ./."
brown_file cb02 "word_cb02/nn ./."
brown_file cb03 "dev_cb03_1/nn ./." "test_cb03_2/nn ./." "test_cb03_3/nn ./."
printf 'not a corpus file\n' >"$C/README"

O="$TMP/out"
expect_ok "get_brown.sh converts" "$GET_BROWN" "$O" --corpus_dir="$C"
[ -f "$O/text/pretrain/brown_a.txt" ] && [ -f "$O/text/heldout/brown_heldout.txt" ] &&
  pass "get_brown.sh still writes the text" || fail "get_brown.sh lost its text output: $(ls -R "$O")"
K="$O/conll"
expect_eq "the tagging files" "$(ls "$K" | tr '\n' ' ')" "DONE dev.tsv tags.txt test.tsv train.tsv "
words() { awk -F'\t' 'NF { print $1 }' "$1" | grep -o "$2" | tr '\n' ' '; }
expect_eq "dev: the first half of each genre's last file" "$(words "$K/dev.tsv" '^[a-z]*_c...*')" \
  "dev_ca03_1 dev_ca03_2 dev_cb03_1 "
expect_eq "test: the second half (n // 2 of an odd n to dev)" "$(words "$K/test.tsv" '^[a-z]*_c...*')" \
  "test_ca03_3 test_ca03_4 test_cb03_2 test_cb03_3 "
expect_eq "train: every other file" "$(words "$K/train.tsv" '^[a-z]*_c...*')" "word_ca02 word_cb01 word_cb02 "
expect_eq "decorations stripped from each part of a tag; a '/' inside a word kept; quotes as \"" \
  "$(sed -n 1,19p "$K/train.tsv")" "$(printf '%s\n' "The	at" "Fulton	np" "Jury	nn" "Atlanta's	np\$" \
    "it's	pps+bez" "Des	in+at" "le	at" "au	at+nn" "You're	ppss+ber" "--	--" "(	(" "aren't	ber*" '"	``' \
    "1-1/2	cd" "\"	''" "Input/Output	jj" "Hoc	nn" ".	." "")"
lengths() { awk 'NF { n++ } !NF { printf "%d ", n; n = 0 }' "$1"; }
expect_eq "a blank line after each sentence; 250 words as windows of 100, 100, 50" "$(lengths "$K/train.tsv")" \
  "18 100 100 50 7 2 2 "
expect_eq "the windows are the sentence's consecutive words" \
  "$(awk -F'\t' 'NF { print $1 }' "$K/train.tsv" | sed -n '19p;118p;119p;268p')" "$(printf 'w1\nw100\nw101\nw250')"
expect_eq "tags.txt: every tag written, sorted" "$(tr '\n' ' ' <"$K/tags.txt")" \
  "'' ( -- . \`\` at at+nn ber* bez cd in+at jj nn nns np np\$ pps+bez ppss+ber rb "
python3 -c "import json; d=json.load(open('$K/DONE')); t=d['train']; \
assert (t['files'], t['sentences'], t['words'], t['sequences'], t['split_sentences']) == (4, 5, 279, 7, 1), t; \
assert (d['dev']['files'], d['dev']['sentences'], d['dev']['words']) == (2, 3, 6), d['dev']; \
assert (d['test']['files'], d['test']['sentences'], d['test']['words']) == (2, 4, 8), d['test']; \
assert d['tags'] == 19 and d['max_words'] == 100 and d['dev_test_files'] == ['ca03', 'cb03'], d" &&
  pass "DONE records the counts, the tag set size and the dev/test files" || fail "DONE: $(cat "$K/DONE")"
[ -z "$(find "$O" -name '*.part')" ] && pass "no .part files left" || fail "a .part file was left"
expect_ok "--max_words=3" python3 "$TO_CONLL" "$C" "$TMP/w3" --max_words=3
expect_eq "7 words with --max_words=3: windows of 3, 3, 1" "$(lengths "$TMP/w3/train.tsv" | cut -d' ' -f 91-93)" "3 3 1"
python3 -c "import json; d=json.load(open('$TMP/w3/DONE')); assert d['max_words'] == 3 and d['train']['split_sentences'] == 3, d" &&
  pass "DONE records --max_words and the sentences split" || fail "DONE: $(cat "$TMP/w3/DONE")"

# Bad input: each named, and the earlier complete output left as it was.
before=$(cat "$K"/*.tsv | md5sum)
bad() { rm -rf "$TMP/$1"; cp -r "$C" "$TMP/$1"; }
bad bad1; printf '\tA/at untagged word/nn\n' >>"$TMP/bad1/cb02"
expect_error "a token without a tag: file and line" "brown_to_conll: .*bad1/cb02:6: token 'untagged' is not word/tag" \
  python3 "$TO_CONLL" "$TMP/bad1" "$K"
bad bad2; printf '\tA/at+ ./.\n' >>"$TMP/bad2/ca02"
expect_error "a compound tag with an empty part: file and line" "bad2/ca02:6: token 'A/at\+' has an empty part in its tag" \
  python3 "$TO_CONLL" "$TMP/bad2" "$K"
bad bad3; printf '\tCaf\xe9/nn ./.\n' >>"$TMP/bad3/cb03"
expect_error "invalid UTF-8: file and byte offset" "bad3/cb03: invalid UTF-8 at byte offset 67" \
  python3 "$TO_CONLL" "$TMP/bad3" "$K"
expect_error "a missing directory" "nowhere: not a directory" python3 "$TO_CONLL" "$TMP/nowhere" "$K"
expect_error "--max_words=0" "--max_words=0: not a positive whole number" python3 "$TO_CONLL" "$C" "$K" --max_words=0
expect_error "--max_words=x" "--max_words=x: not a positive whole number" python3 "$TO_CONLL" "$C" "$K" --max_words=x
expect_error "an unknown flag" "unknown flag --max_word=3" python3 "$TO_CONLL" "$C" "$K" --max_word=3
expect_error "a missing argument: usage" "Usage: brown_to_conll.py BROWN_DIR OUTPUT_DIR" python3 "$TO_CONLL" "$C"
expect_eq "failed runs left the earlier output unchanged" "$(cat "$K"/*.tsv | md5sum)" "$before"
finish
