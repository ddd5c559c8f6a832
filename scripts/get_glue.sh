#!/usr/bin/env bash
# Downloads the nine GLUE tasks and the AX diagnostic into the layout glue/finetune reads.
#   scripts/get_glue.sh DIR [--tasks=CoLA,SST-2,MRPC,STS-B,QQP,MNLI,QNLI,RTE,WNLI,diagnostic]
#       [--base_url=https://dl.fbaipublicfiles.com] [--checksums=FILE] [--keep_downloads]
# From the files the GLUE benchmark's download_glue_data.py fetches (MRPC from SentEval's copy,
# split with the standard dev ids), each checked against a sha256 recorded in this script
# (docs/data_sources.md). Rerunning skips what is complete and continues interrupted downloads;
# DIR/<Task>/ appears only when complete. --base_url replaces https://dl.fbaipublicfiles.com (a
# mirror, a test server); --checksums=FILE replaces the recorded checksums ("SHA256 [BYTES] PATH"
# lines, PATH under the base URL, e.g. glue/data/CoLA.zip).
set -euo pipefail
PROG=get_glue
# shellcheck source=scripts/fetchlib.sh
source "$(dirname "$0")/fetchlib.sh"
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# PATH (under the base URL) BYTES SHA256. Checksums and sizes as recorded by Hugging Face datasets
# (datasets/glue/dataset_infos.json) for these URLs, each matched by a second, independent project;
# docs/data_sources.md lists the sources. Not re-measured here (no network at the time of writing).
REAL_CHECKSUMS="
glue/data/CoLA.zip 376971 f212fcd832b8f7b435fb991f101abf89f96b933ab400603bf198960dfc32cbff
glue/data/SST-2.zip 7439277 d67e16fb55739c1b32cdce9877596db1c127dc322d93c082281f64057c16deaa
glue/data/QQP-clean.zip 41696084 40e7c862c04eb26ee04b67fd900e76c45c6ba8e6d8fab4f8f1f8072a1a3fbae0
glue/data/STS-B.zip 802872 e60a6393de5a8b5b9bac5020a1554b54e3691f9d600b775bd131e613ac179c85
glue/data/MNLI.zip 312783507 e7c1d896d26ed6caf700110645df426cc2d8ebf02a5ab743d5a5c68ac1c83633
glue/data/QNLIv2.zip 10627589 e634e78627a29adaecd4f955359b22bf5e70f2cbd93b493f2d624138a0c0e5f5
glue/data/RTE.zip 697150 6bf86de103ecd335f3441bd43574d23fef87ecc695977a63b82d5efb206556ee
glue/data/WNLI.zip 28999 ae0e8e4d16f4d46d4a0a566ec7ecceccfd3fbfaa4a7a4b4e02848c0f2561ac46
glue/data/AX.tsv 222257 0e13510b1bb14436ff7e2ee82338f0efb0133ecf2e73507a697dc210db3f05fd
glue/data/mrpc_dev_ids.tsv 6222 971d7767d81b997fd9060ade0ec23c4fc31cbb226a55d1bd4a1bac474eb81dc7
senteval/senteval_data/msr_paraphrase_train.txt 1047044 60a9b09084528f0673eedee2b69cb941920f0b8cd0eeccefc464a98768457f89
senteval/senteval_data/msr_paraphrase_test.txt 441275 a04e271090879aaba6423d65b94950c089298587d9c084bf9cd7439bd785f784
"

# Task: archive (under the base URL) and the folder inside it (download_glue_data.py extracts each
# zip into DIR as it is), then the files finetune reads (glue/tasks.cc).
declare -A ARCHIVE=(
  [CoLA]=glue/data/CoLA.zip [SST-2]=glue/data/SST-2.zip [QQP]=glue/data/QQP-clean.zip
  [STS-B]=glue/data/STS-B.zip [MNLI]=glue/data/MNLI.zip [QNLI]=glue/data/QNLIv2.zip
  [RTE]=glue/data/RTE.zip [WNLI]=glue/data/WNLI.zip
)
required_files() {
  case "$1" in
    MNLI) echo train.tsv dev_matched.tsv dev_mismatched.tsv test_matched.tsv test_mismatched.tsv ;;
    diagnostic) echo diagnostic.tsv ;;
    *) echo train.tsv dev.tsv test.tsv ;;
  esac
}
MRPC_FILES=(senteval/senteval_data/msr_paraphrase_train.txt senteval/senteval_data/msr_paraphrase_test.txt
  glue/data/mrpc_dev_ids.tsv)
ALL_TASKS=(CoLA SST-2 MRPC STS-B QQP MNLI QNLI RTE WNLI diagnostic)

dir=""
tasks=""
base_url=https://dl.fbaipublicfiles.com
checksums=""
keep_downloads=0
for arg in "$@"; do
  case "$arg" in
    --tasks=*) tasks="${arg#*=}" ;;
    --base_url=*) base_url="${arg#*=}" ;;
    --checksums=*) checksums="${arg#*=}" ;;
    --keep_downloads) keep_downloads=1 ;;
    -h | --help) usage ;;
    -*) error "unknown flag $arg"; usage ;;
    *) [ -z "$dir" ] || { error "more than one DIR ($dir, $arg)"; usage; }; dir="$arg" ;;
  esac
done
[ -n "$dir" ] || usage
base_url="${base_url%/}"
selected=()
if [ -z "$tasks" ] || [ "$tasks" = all ]; then
  selected=("${ALL_TASKS[@]}")
else
  for t in ${tasks//,/ }; do
    [ "$t" = AX ] && t=diagnostic
    [[ " ${ALL_TASKS[*]} " == *" $t "* ]] || die "unknown task '$t' (one of ${ALL_TASKS[*]})"
    selected+=("$t")
  done
fi
need_tools curl unzip sha256sum python3 flock numfmt
if [ -n "$checksums" ]; then
  load_checksums "$checksums"
else
  load_checksums <(echo "$REAL_CHECKSUMS" | awk 'NF { print $3, $2, $1 }')
fi

mkdir -p "$dir" || die "cannot create $dir"
dir=$(cd "$dir" && pwd)
exec 9>"$dir/.get_glue.lock"
flock -n 9 || die "another get_glue.sh is working in $dir (lock $dir/.get_glue.lock)"
downloads="$dir/.downloads"

# The stamp of a complete task: its sources and their checksums. A task whose stamp matches is
# skipped; a different stamp (new checksums) makes it fetched again.
stamp_for() {
  local key
  case "$1" in
    MRPC) for key in "${MRPC_FILES[@]}"; do echo "$key ${SHA256[$key]:-?}"; done ;;
    diagnostic) echo "glue/data/AX.tsv ${SHA256[glue/data/AX.tsv]:-?}" ;;
    *) echo "${ARCHIVE[$1]} ${SHA256[${ARCHIVE[$1]}]:-?}" ;;
  esac
}
is_complete() {
  local task="$1" f
  [ -f "$dir/$task/.get_glue_done" ] && [ "$(cat "$dir/$task/.get_glue_done")" = "$(stamp_for "$task")" ] || return 1
  for f in $(required_files "$task"); do [ -f "$dir/$task/$f" ] || return 1; done
}

# Moves the complete folder STAGED into place as DIR/TASK (a rename, so never half there).
install_task() {
  local task="$1" staged="$2" tmp="$3" f
  for f in $(required_files "$task"); do
    [ -f "$staged/$f" ] || die "$task: $f is missing after unpacking (not the GLUE layout)"
  done
  stamp_for "$task" >"$staged/.get_glue_done" || die "$task: cannot write $staged/.get_glue_done"
  if [ -e "$dir/$task" ]; then
    [ -f "$dir/$task/.get_glue_done" ] ||
      die "$task: $dir/$task exists and was not made by get_glue.sh; move it away or choose another DIR"
    mv "$dir/$task" "$tmp/old"
  fi
  mv "$staged" "$dir/$task"
  rm -rf "$tmp/old"
}

fetch() { fetch_verified "$1" "$base_url/$1" "$downloads/$1" || exit 1; }
done_with() { [ "$keep_downloads" -eq 1 ] || rm -f "$downloads/$1"; }

# MRPC as download_glue_data.py's format_mrpc builds it: train rows whose (id1, id2) is in the dev ids
# go to dev.tsv, the rest to train.tsv (both with the source's header line, byte-order mark included),
# and test.tsv numbers the test rows under a fixed header.
format_mrpc() {
  python3 - "$@" <<'EOF'
import sys
train_path, test_path, ids_path, out = sys.argv[1:5]

def fail(msg):
    sys.exit("get_glue: error: " + msg)

def rows(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline()
        for n, line in enumerate(f, start=2):
            if not line.strip():
                continue
            fields = line.strip().split("\t")
            if len(fields) != 5:
                fail(f"{path}:{n}: expected 5 tab-separated fields, found {len(fields)}")
            yield header, fields

try:
    with open(ids_path, encoding="utf-8") as f:
        dev_ids = {tuple(line.strip().split("\t")) for line in f if line.strip()}
    with open(train_path, encoding="utf-8") as f:
        header = f.readline()
    with open(out + "/train.tsv", "w", encoding="utf-8") as train, \
         open(out + "/dev.tsv", "w", encoding="utf-8") as dev:
        train.write(header)
        dev.write(header)
        n_dev = 0
        for _, (label, id1, id2, s1, s2) in rows(train_path):
            row = "%s\t%s\t%s\t%s\t%s\n" % (label, id1, id2, s1, s2)
            if (id1, id2) in dev_ids:
                dev.write(row)
                n_dev += 1
            else:
                train.write(row)
    if n_dev != len(dev_ids):
        fail(f"{ids_path}: {len(dev_ids) - n_dev} of its {len(dev_ids)} dev pairs are not in {train_path}")
    with open(out + "/test.tsv", "w", encoding="utf-8") as test:
        test.write("index\t#1 ID\t#2 ID\t#1 String\t#2 String\n")
        for idx, (_, (label, id1, id2, s1, s2)) in enumerate(rows(test_path)):
            test.write("%d\t%s\t%s\t%s\t%s\n" % (idx, id1, id2, s1, s2))
except OSError as e:
    fail(f"{e.filename}: {e.strerror}")
except UnicodeDecodeError as e:
    fail(f"MRPC source is not UTF-8: {e}")
EOF
}

# One task, in a subshell of its own (errors exit it; the caller goes on with the next task).
get_task() {
  local task="$1" key err
  tmp=$(mktemp -d "$dir/.tmp-$task.XXXXXX")  # global: the EXIT trap runs after the function returns
  trap 'rm -rf "$tmp"' EXIT
  case "$task" in
    MRPC)
      for key in "${MRPC_FILES[@]}"; do fetch "$key"; done
      mkdir "$tmp/MRPC"
      format_mrpc "$downloads/${MRPC_FILES[0]}" "$downloads/${MRPC_FILES[1]}" "$downloads/${MRPC_FILES[2]}" "$tmp/MRPC"
      # download_glue_data.py leaves its sources in MRPC/ as well.
      cp "$downloads/${MRPC_FILES[0]}" "$downloads/${MRPC_FILES[1]}" "$tmp/MRPC/" || die "MRPC: cannot write $tmp/MRPC"
      cp "$downloads/${MRPC_FILES[2]}" "$tmp/MRPC/dev_ids.tsv" || die "MRPC: cannot write $tmp/MRPC/dev_ids.tsv"
      install_task MRPC "$tmp/MRPC" "$tmp"
      for key in "${MRPC_FILES[@]}"; do done_with "$key"; done
      ;;
    diagnostic)
      fetch glue/data/AX.tsv
      mkdir "$tmp/diagnostic"
      cp "$downloads/glue/data/AX.tsv" "$tmp/diagnostic/diagnostic.tsv" || die "diagnostic: cannot write $tmp/diagnostic/diagnostic.tsv"
      install_task diagnostic "$tmp/diagnostic" "$tmp"
      done_with glue/data/AX.tsv
      ;;
    *)
      key="${ARCHIVE[$task]}"
      fetch "$key"
      note "$task: unpacking $key"
      # unzip's messages go to a variable: a file could not be written on a full disk.
      if ! err=$(unzip -q "$downloads/$key" -d "$tmp/unpacked" 2>&1 </dev/null); then
        err=$(sed 's/  Continue? .*//' <<<"$err" | tr -s ' \n' ' ' | cut -c1-600)
        die "$task: cannot unpack $downloads/$key: ${err# }"
      fi
      [ -d "$tmp/unpacked/$task" ] || die "$task: $key holds no $task/ folder (not the GLUE layout)"
      install_task "$task" "$tmp/unpacked/$task" "$tmp"
      done_with "$key"
      ;;
  esac
  note "$task: complete in $dir/$task"
}

failed=()
for task in "${selected[@]}"; do
  if is_complete "$task"; then
    note "$task: already complete in $dir/$task"
    continue
  fi
  set +e
  (
    set -e
    get_task "$task"
  )
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || failed+=("$task")
done
find "$downloads" -depth -type d -empty -delete 2>/dev/null || true
if [ ${#failed[@]} -gt 0 ]; then
  die "${#failed[@]} of ${#selected[@]} tasks failed: ${failed[*]} (see above)"
fi
note "done: ${selected[*]} in $dir (bazel-bin/glue/finetune --data_dir=$dir ...)"
