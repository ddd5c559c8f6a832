#!/usr/bin/env bash
# scripts/get_openwebtext.sh against local HTTP servers serving an archive in OpenWebText's layout
# (tar.xz of openwebtext/urlsf_subset*_data.xz, each an xz tar of .txt documents): the text
# shard_corpus reads, the same output for any --threads, --max_docs samples, resumed downloads and
# conversions, and every failure naming the file with nothing half-written under a final name.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
source tests/fetch/helpers.sh
GET_OWT=scripts/get_openwebtext.sh
SHARD=$(bin corpus/shard_corpus)
VOCAB=data/vocab/bert-base-uncased-vocab.txt
make_fixtures
SUMS="$FIXTURES/owt_checksums.txt"
KEY=record/3834942/files/openwebtext.tar.xz
ARCHIVE="$FIXTURES/www/$KEY"
DOCS=$(cat "$FIXTURES/owt_documents")
docs_in() { cat "$1"/*.txt 2>/dev/null | grep -c '^$'; }

start_plain_server "$FIXTURES"
PLAIN="$URL/www"
O="$TMP/owt"
expect_ok "download and convert (2 threads)" "$GET_OWT" "$O" --base_url="$PLAIN" --checksums="$SUMS" --threads=2
T="$O/text"
expect_eq "one text file per inner archive" "$(ls "$T" | grep -c '^urlsf_subset0[0-3]-[12]_data.txt$')" 8
expect_eq "every non-blank document, a blank line after each" "$(docs_in "$T")" "$DOCS"
grep -q '"documents": '"$DOCS" "$T/DONE" && pass "DONE records the count" || fail "DONE: $(cat "$T/DONE")"
grep -q "\[##############################\] 100.0%" "$TMP/stderr" && pass "a progress bar on stderr" || fail "progress: $(cat "$TMP/stderr")"
all="$TMP/all.txt"
cat "$T"/*.txt >"$all"
grep -qP '^\s|\s$' "$all" && fail "lines are not stripped: $(grep -nP '^\s|\s$' "$all" | head -2)" || pass "lines stripped (tabs, spaces, CR of CRLF files)"
awk 'prev == "" && $0 == "" && NR > 1 { bad = 1 } { prev = $0 } END { exit bad }' "$all" && pass "no empty documents or runs of blank lines" || fail "double blank lines"
[ "$(head -c 1 "$all" | od -An -c | tr -d ' ')" != '\n' ] && [ "$(tail -c 2 "$all" | od -An -c | tr -d ' ')" = '\n\n' ] && pass "starts with text, ends with a blank line" || fail "ends"
python3 -c "open('$all', encoding='utf-8', errors='strict').read()" && pass "valid UTF-8" || fail "not UTF-8"
grep -q "An invalid byte � in the middle." "$all" && grep -q "No final newline" "$all" && pass "an invalid byte becomes U+FFFD; a missing final newline is fine" || fail "invalid byte"
grep -q "Second paragraph “quoted”, café, 東京.$" "$all" && pass "non-ASCII text kept" || fail "non-ASCII"
grep -q "^A tab-indented paragraph.$" "$all" && pass "one paragraph per line" || fail "paragraphs"

expect_ok "shard_corpus accepts the text" "$SHARD" --input="$T/*.txt" --vocab="$VOCAB" --output_dir="$TMP/shards" --num_shards=2
grep -q "documents: $DOCS" "$TMP"/shards/shard_spec-*.pbtxt && pass "shard_corpus sees $DOCS documents" || fail "spec: $(cat "$TMP"/shards/shard_spec-*.pbtxt | head -20)"

expect_ok "rerun" "$GET_OWT" "$O" --base_url="$PLAIN" --checksums="$SUMS"
grep -q "already complete: $T" "$TMP/stderr" && ! grep -q downloading "$TMP/stderr" && pass "rerun: already complete, nothing fetched" || fail "rerun: $(cat "$TMP/stderr")"
for t in 1 3; do
  expect_ok "--threads=$t into another --output_dir (archive already here)" "$GET_OWT" "$O" --base_url="$PLAIN" --checksums="$SUMS" --threads=$t --output_dir="$TMP/t$t"
  grep -q "already downloaded and verified" "$TMP/stderr" && pass "the verified archive is not fetched again" || fail "refetched: $(head -2 "$TMP/stderr")"
  diff -r -x DONE "$T" "$TMP/t$t" >/dev/null && pass "--threads=$t: the same text" || fail "--threads=$t differs"
done
for t in 1 3; do
  expect_ok "--max_docs=9 --threads=$t" "$GET_OWT" "$O" --base_url="$PLAIN" --checksums="$SUMS" --max_docs=9 --threads=$t --output_dir="$TMP/s$t"
  expect_eq "--threads=$t: 9 documents" "$(docs_in "$TMP/s$t")" 9
  cmp -s <(cat "$TMP/s$t"/*.txt) <(head -c "$(cat "$TMP/s$t"/*.txt | wc -c)" "$all") && pass "--threads=$t: the first 9 documents" || fail "--threads=$t: not a prefix"
done
expect_ok "--max_docs defaults to DIR/sample-N" "$GET_OWT" "$O" --base_url="$PLAIN" --checksums="$SUMS" --max_docs=9
diff -r "$TMP/s1" "$O/sample-9" >/dev/null && pass "DIR/sample-9" || fail "sample-9: $(ls "$O")"

# Resumed conversion: what an interrupted run finished is kept.
rm "$TMP/t1/DONE" "$TMP/t1/urlsf_subset01-2_data.txt" "$TMP/t1/urlsf_subset03-1_data.txt"
touch -d '2001-01-01' "$TMP/t1/urlsf_subset00-1_data.txt"
expect_ok "an interrupted conversion continues" "$GET_OWT" "$O" --base_url="$PLAIN" --checksums="$SUMS" --output_dir="$TMP/t1"
diff -r "$T" "$TMP/t1" >/dev/null && pass "the same text after resuming" || fail "resumed text differs"
[ "$(stat -c %Y "$TMP/t1/urlsf_subset00-1_data.txt")" -lt 1000000000 ] && pass "converted archives were kept" || fail "it converted everything again"
expect_error "another conversion's output directory" "holds a conversion made with other settings" \
  "$GET_OWT" "$O" --base_url="$PLAIN" --checksums="$SUMS" --max_docs=5 --output_dir="$TMP/t1"

# Interrupted downloads.
LOG="$TMP/range.log"
start_range_server "$FIXTURES" "$LOG" --drop=/www/$KEY:10000
RANGED="$URL/www"
expect_ok "a dropped connection is resumed" "$GET_OWT" "$TMP/drop" --base_url="$RANGED" --checksums="$SUMS"
grep -q "transfer interrupted at" "$TMP/stderr" && grep -q "GET /www/$KEY bytes=10000- 206" "$LOG" && pass "continued from byte 10000" || fail "drop: $(cat "$LOG")"
diff -r "$T" "$TMP/drop/text" >/dev/null && pass "and converted the same text" || fail "drop text"
mkdir -p "$TMP/part"
head -c 12345 "$ARCHIVE" >"$TMP/part/openwebtext.tar.xz.part"
expect_ok "an earlier run's partial download is continued" "$GET_OWT" "$TMP/part" --base_url="$RANGED" --checksums="$SUMS" --max_docs=3
grep -q "GET /www/$KEY bytes=12345- 206" "$LOG" && cmp -s "$TMP/part/openwebtext.tar.xz" "$ARCHIVE" && pass "asked for the rest only; verified" || fail "part: $(cat "$LOG")"

# Failures.
expect_error "the real checksum is in the script" "$KEY: checksum mismatch .*expected 9fe39d154c5bc67da8c3" \
  "$GET_OWT" "$TMP/real" --base_url="$PLAIN"
[ -z "$(ls -A "$TMP/real" | grep -v '^.get_openwebtext.lock$')" ] && pass "nothing kept of a mismatching download" || fail "left: $(ls -A "$TMP/real")"
expect_error "HTTP 404" "$KEY: .*/nowhere/$KEY answered HTTP 404 \(not found\)" \
  "$GET_OWT" "$TMP/404" --base_url="$URL/nowhere" --checksums="$SUMS"
mkdir -p "$FIXTURES/short/$(dirname "$KEY")"
head -c 20000 "$ARCHIVE" >"$FIXTURES/short/$KEY"
expect_error "a truncated archive fails its checksum" "$KEY: checksum mismatch .*20000 bytes instead of $(stat -c %s "$ARCHIVE")" \
  "$GET_OWT" "$TMP/short" --base_url="$URL/short" --checksums="$SUMS"
echo "$(sha256sum "$FIXTURES/short/$KEY" | cut -d' ' -f1) 20000 $KEY" >"$TMP/short_sums.txt"
expect_error "a truncated archive that passes its checksum" "openwebtext.tar.xz: corrupt or truncated archive" \
  "$GET_OWT" "$TMP/short2" --base_url="$URL/short" --checksums="$TMP/short_sums.txt" --threads=2
# complete_or_absent DIR: no DONE, no temporary files, every text file equal to the full conversion's.
complete_or_absent() {
  local what="$1" d="$2" f bad=""
  [ ! -e "$d/DONE" ] || bad="DONE exists"
  [ -z "$(find "$d" -name '*.part' -o -name .spool)" ] || bad="$bad; left: $(find "$d" -name '*.part' -o -name .spool)"
  for f in "$d"/*.txt; do
    [ -e "$f" ] || continue
    cmp -s "$f" "$T/$(basename "$f")" || bad="$bad; $f is incomplete"
  done
  [ -z "$bad" ] && pass "$what: nothing half-written ($(ls "$d"/*.txt 2>/dev/null | wc -l) complete files kept)" || fail "$what: $bad"
}
complete_or_absent "truncated archive" "$TMP/short2/text"
# The inner archives are checked too: one cut short inside a valid outer archive.
mkdir -p "$TMP/badinner/openwebtext" "$FIXTURES/badinner/$(dirname "$KEY")"
xz -dc "$ARCHIVE" | tar -x -C "$TMP/badinner"
f="$TMP/badinner/openwebtext/urlsf_subset01-2_data.xz"
head -c $(($(stat -c %s "$f") / 2)) "$f" >"$f.cut" && mv "$f.cut" "$f"
(cd "$TMP/badinner" && tar --sort=name -cJf "$FIXTURES/badinner/$KEY" openwebtext)
echo "$(sha256sum "$FIXTURES/badinner/$KEY" | cut -d' ' -f1) $KEY" >"$TMP/badinner_sums.txt"
expect_error "a truncated inner archive is named" "openwebtext.tar.xz: openwebtext/urlsf_subset01-2_data.xz: corrupt or truncated archive" \
  "$GET_OWT" "$TMP/badinner_out" --base_url="$URL/badinner" --checksums="$TMP/badinner_sums.txt" --threads=2
complete_or_absent "truncated inner archive" "$TMP/badinner_out/text"
expect_ok "a sample before the damage is fine" "$GET_OWT" "$TMP/badinner_out" --base_url="$URL/badinner" --checksums="$TMP/badinner_sums.txt" --threads=2 --max_docs=12
expect_eq "12 documents" "$(docs_in "$TMP/badinner_out/sample-12")" 12

# A full disk: the archive fits, its text does not.
small_disk "$TMP/full" $(( ($(stat -c %s "$ARCHIVE") + 4095) / 4096 * 4 + 16 ))
echo "disk-full mode: $DISK_MODE"
if [ ${#LIMITED[@]} -eq 0 ]; then
  expect_error "a full disk while converting" "error: .*(writing .* failed: No space left on device|No space left on device)" \
    "$GET_OWT" "$TMP/full" --base_url="$PLAIN" --checksums="$SUMS" --threads=2
  grep -qE "error: .*/full/" "$TMP/stderr" && pass "the message names the file" || fail "message: $(tail -1 "$TMP/stderr")"
  complete_or_absent "full disk" "$TMP/full/text"
  [ -f "$TMP/full/openwebtext.tar.xz" ] && pass "the verified archive is kept for the rerun" || fail "archive gone"
else
  expect_error "a write limit stops the download" "File too large|curl exit|error" \
    "${LIMITED[@]}" "$GET_OWT" "$TMP/full" --base_url="$PLAIN" --checksums="$SUMS"
fi
finish
