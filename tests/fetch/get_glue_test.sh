#!/usr/bin/env bash
# scripts/get_glue.sh against local HTTP servers serving GLUE-format fixtures: the layout finetune
# reads (MRPC split exactly as the GLUE script splits it), idempotence, resumed downloads, and every
# failure (checksum mismatch, truncated archive, 404, full disk) naming the file and leaving nothing
# half-written under a final name.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
source tests/fetch/helpers.sh
GET_GLUE=scripts/get_glue.sh
make_fixtures
SUMS="$FIXTURES/glue_checksums.txt"
STAGE="$FIXTURES/stage"
TASKS=(CoLA SST-2 MRPC STS-B QQP MNLI QNLI RTE WNLI diagnostic)

# expected_files TASK: each file finetune reads, with where its expected contents are.
expected() {
  local task="$1" f
  case "$task" in
    MRPC)
      echo "train.tsv <(head -n 21 data/glue/MRPC/train.tsv)"
      echo "dev.tsv <(head -n 11 data/glue/MRPC/dev.tsv)"
      echo "test.tsv <(head -n 11 data/glue/MRPC/test.tsv)"
      ;;
    diagnostic) echo "diagnostic.tsv $FIXTURES/www/glue/data/AX.tsv" ;;
    MNLI) for f in train dev_matched dev_mismatched test_matched test_mismatched; do echo "$f.tsv $STAGE/MNLI/$f.tsv"; done ;;
    *) for f in train dev test; do echo "$f.tsv $STAGE/$task/$f.tsv"; done ;;
  esac
}
# task_ok DIR TASK: the task's folder holds exactly the expected files.
task_ok() {
  local name want
  while read -r name want; do
    eval "cmp -s '$1/$2/$name' $want" || return 1
  done < <(expected "$2")
}
# no_half_written DIR: no temporary folders, and every task folder present is complete.
no_half_written() {
  local what="$1" d t bad=""
  d="$2"
  [ -z "$(find "$d" -maxdepth 1 -name '.tmp-*')" ] || bad="temporary folders left: $(find "$d" -maxdepth 1 -name '.tmp-*')"
  for t in "${TASKS[@]}"; do
    [ -e "$d/$t" ] || continue
    { [ -f "$d/$t/.get_glue_done" ] && task_ok "$d" "$t"; } || bad="$bad $d/$t is incomplete"
  done
  [ -z "$bad" ] && pass "$what: nothing half-written" || fail "$what: $bad"
}

# The happy path, from Python's stock http.server.
start_plain_server "$FIXTURES"
PLAIN="$URL/www"
G="$TMP/glue"
expect_ok "every task and AX from a plain http.server" "$GET_GLUE" "$G" --base_url="$PLAIN" --checksums="$SUMS"
for t in "${TASKS[@]}"; do
  task_ok "$G" "$t" && pass "$t in the layout finetune reads" || fail "$t: $(ls -A "$G/$t" 2>&1)"
done
grep -q "verifying sha256" "$TMP/stderr" && grep -q "verified (sha256" "$TMP/stderr" && pass "progress and verification on stderr" || fail "stderr: $(head -3 "$TMP/stderr")"
[ -f "$G/MRPC/msr_paraphrase_train.txt" ] && [ -f "$G/MRPC/dev_ids.tsv" ] && pass "MRPC keeps its sources, as the GLUE script does" || fail "MRPC sources"
[ -f "$G/CoLA/original/raw/in_domain_train.tsv" ] && pass "the rest of an archive is unpacked too" || fail "CoLA/original"
[ -z "$(find "$G" -name '*.part' -o -name '.tmp-*')" ] && [ ! -e "$G/.downloads" ] && pass "no downloads or temporary files left" || fail "left: $(find "$G" -name '*.part' -o -name '.tmp-*' -o -name .downloads)"
expect_ok "rerun" "$GET_GLUE" "$G" --base_url="$PLAIN" --checksums="$SUMS"
expect_eq "rerun: every task already complete" "$(grep -c 'already complete' "$TMP/stderr")" "${#TASKS[@]}"
grep -q downloading "$TMP/stderr" && fail "rerun downloaded again" || pass "rerun fetches nothing"
expect_ok "--tasks selects tasks (AX = diagnostic)" "$GET_GLUE" "$TMP/two" --base_url="$PLAIN" --checksums="$SUMS" --tasks=RTE,AX
expect_eq "only RTE and diagnostic" "$(ls "$TMP/two" | paste -sd,)" "RTE,diagnostic"
expect_ok "--keep_downloads" "$GET_GLUE" "$TMP/keep" --base_url="$PLAIN" --checksums="$SUMS" --tasks=WNLI --keep_downloads
[ -f "$TMP/keep/.downloads/glue/data/WNLI.zip" ] && pass "the verified archive is kept" || fail "no kept archive"
# A task folder whose stamp no longer matches (new checksums) is fetched again.
echo stale >"$TMP/keep/WNLI/.get_glue_done"
expect_ok "a stale task is refreshed" "$GET_GLUE" "$TMP/keep" --base_url="$PLAIN" --checksums="$SUMS" --tasks=WNLI
grep -q "WNLI.zip: already downloaded and verified" "$TMP/stderr" && task_ok "$TMP/keep" WNLI && pass "from the kept, verified archive" || fail "refresh: $(tail -3 "$TMP/stderr")"

# The real checksums are in the script: the fixtures do not match them.
expect_error "without --checksums the real sha256 is required" "glue/data/WNLI.zip: checksum mismatch .*expected ae0e8e4d16f4d46d" \
  "$GET_GLUE" "$TMP/real" --base_url="$PLAIN" --tasks=WNLI
grep -q "1 of 1 tasks failed: WNLI" "$TMP/stderr" && pass "the summary names the failed task" || fail "summary: $(tail -1 "$TMP/stderr")"
[ ! -e "$TMP/real/WNLI" ] && [ -z "$(find "$TMP/real" -name '*.part')" ] && pass "a mismatching download is removed" || fail "left: $(find "$TMP/real")"
sed "s/^[0-9a-f]\{8\}/00000000/" "$SUMS" >"$TMP/wrong_sums.txt"
expect_error "a wrong checksum in the manifest" "glue/data/CoLA.zip: checksum mismatch" \
  "$GET_GLUE" "$TMP/wrong" --base_url="$PLAIN" --checksums="$TMP/wrong_sums.txt" --tasks=CoLA
no_half_written "checksum mismatch" "$TMP/wrong"
echo "not a manifest" >"$TMP/bad_manifest.txt"
expect_error "a malformed manifest" "bad_manifest.txt:1: expected 'SHA256 \[BYTES\] NAME'" \
  "$GET_GLUE" "$TMP/x" --base_url="$PLAIN" --checksums="$TMP/bad_manifest.txt"
expect_error "an unknown task" "unknown task 'SQuAD'" "$GET_GLUE" "$TMP/x" --tasks=SQuAD
expect_error "an unknown flag" "unknown flag --bogus" "$GET_GLUE" "$TMP/x" --bogus

# 404.
expect_error "a missing file (HTTP 404)" "glue/data/RTE.zip: .*/nowhere/glue/data/RTE.zip answered HTTP 404 \(not found\)" \
  "$GET_GLUE" "$TMP/404" --base_url="$URL/nowhere" --checksums="$SUMS" --tasks=RTE
[ ! -e "$TMP/404/RTE" ] && [ -z "$(find "$TMP/404" -name '*.part')" ] && pass "404: nothing left" || fail "404 left: $(find "$TMP/404")"

# Truncated archives, served complete: the recorded checksum catches them; with a checksum that
# matches the truncated bytes, unpacking does.
mkdir -p "$FIXTURES/short/glue/data"
head -c 3000 "$FIXTURES/www/glue/data/CoLA.zip" >"$FIXTURES/short/glue/data/CoLA.zip"
expect_error "a truncated archive fails its checksum" "glue/data/CoLA.zip: checksum mismatch .*3000 bytes instead of $(stat -c %s "$FIXTURES/www/glue/data/CoLA.zip")" \
  "$GET_GLUE" "$TMP/short" --base_url="$URL/short" --checksums="$SUMS" --tasks=CoLA
no_half_written "truncated archive" "$TMP/short"
echo "$(sha256sum "$FIXTURES/short/glue/data/CoLA.zip" | cut -d' ' -f1) 3000 glue/data/CoLA.zip" >"$TMP/short_sums.txt"
expect_error "a truncated zip that passes its checksum is not unpacked" "CoLA: cannot unpack .*CoLA.zip" \
  "$GET_GLUE" "$TMP/short2" --base_url="$URL/short" --checksums="$TMP/short_sums.txt" --tasks=CoLA
no_half_written "truncated zip" "$TMP/short2"
[ ! -e "$TMP/short2/CoLA" ] && pass "no CoLA folder from a broken zip" || fail "CoLA folder exists"

# Interrupted downloads. A server that understands ranges: an earlier run's partial file is
# continued, and a connection dropped mid-way is resumed within the run.
LOG="$TMP/range.log"
start_range_server "$FIXTURES" "$LOG" --drop=/www/glue/data/QNLIv2.zip:4000
RANGED="$URL/www"
mkdir -p "$TMP/resume/.downloads/glue/data"
head -c 3000 "$FIXTURES/www/glue/data/MNLI.zip" >"$TMP/resume/.downloads/glue/data/MNLI.zip.part"
expect_ok "a partial download is continued" "$GET_GLUE" "$TMP/resume" --base_url="$RANGED" --checksums="$SUMS" --tasks=MNLI
grep -q "MNLI.zip: resuming at .* of " "$TMP/stderr" && pass "says where it resumes" || fail "resume note: $(head -2 "$TMP/stderr")"
grep -q "GET /www/glue/data/MNLI.zip bytes=3000- 206" "$LOG" && pass "asked for the rest only (Range: bytes=3000-, 206)" || fail "log: $(cat "$LOG")"
task_ok "$TMP/resume" MNLI && pass "the resumed archive verifies and unpacks" || fail "resumed MNLI"
expect_ok "a dropped connection is resumed" "$GET_GLUE" "$TMP/drop" --base_url="$RANGED" --checksums="$SUMS" --tasks=QNLI
grep -q "QNLIv2.zip: transfer interrupted at .*continuing" "$TMP/stderr" && pass "reports the interruption" || fail "interruption: $(cat "$TMP/stderr" | head -4)"
grep -q "GET /www/glue/data/QNLIv2.zip bytes=4000- 206" "$LOG" && task_ok "$TMP/drop" QNLI && pass "continued from byte 4000 and verified" || fail "drop log: $(cat "$LOG")"
# A complete but unverified .part (an earlier run stopped before checking it) needs no request.
mkdir -p "$TMP/whole/.downloads/glue/data"
cp "$FIXTURES/www/glue/data/RTE.zip" "$TMP/whole/.downloads/glue/data/RTE.zip.part"
before=$(wc -l <"$LOG")
expect_ok "a complete .part is verified, not fetched" "$GET_GLUE" "$TMP/whole" --base_url="$RANGED" --checksums="$SUMS" --tasks=RTE
expect_eq "no request for it" "$(wc -l <"$LOG")" "$before"
# Python's stock server cannot continue: the download starts again and still verifies.
mkdir -p "$TMP/norange/.downloads/glue/data"
head -c 3000 "$FIXTURES/www/glue/data/MNLI.zip" >"$TMP/norange/.downloads/glue/data/MNLI.zip.part"
expect_ok "a server without ranges: starts over" "$GET_GLUE" "$TMP/norange" --base_url="$PLAIN" --checksums="$SUMS" --tasks=MNLI
grep -q "cannot continue a download; starting it again" "$TMP/stderr" && task_ok "$TMP/norange" MNLI && pass "says so and verifies" || fail "no-range: $(cat "$TMP/stderr" | head -4)"

# A full disk: while downloading, and while unpacking.
small_disk "$TMP/full" 4
echo "disk-full mode: $DISK_MODE"
expect_error "a full disk while downloading" "writing .*CoLA.zip.part failed \(disk full|File too large|curl exit" \
  "${LIMITED[@]}" "$GET_GLUE" "$TMP/full" --base_url="$PLAIN" --checksums="$SUMS" --tasks=CoLA,RTE
no_half_written "full disk (download)" "$TMP/full"
if [ ${#LIMITED[@]} -eq 0 ]; then
  small_disk "$TMP/full2" 16
  expect_error "a full disk while unpacking" "CoLA: cannot unpack .*CoLA.zip: .*(disk full|No space)" \
    "$GET_GLUE" "$TMP/full2" --base_url="$PLAIN" --checksums="$SUMS" --tasks=CoLA
  no_half_written "full disk (unpacking)" "$TMP/full2"
  [ ! -e "$TMP/full2/CoLA" ] && pass "no CoLA folder on the full disk" || fail "CoLA folder exists on the full disk"
fi
finish
