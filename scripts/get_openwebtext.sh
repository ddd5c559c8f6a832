#!/usr/bin/env bash
# Downloads OpenWebText (the corpus of ELECTRA-Small-OWT) and converts it into shard_corpus input.
#   scripts/get_openwebtext.sh DIR [--max_docs=N] [--threads=N] [--output_dir=PATH] [--delete_archive]
#       [--base_url=https://zenodo.org] [--checksums=FILE]
# Fetches openwebtext.tar.xz (Zenodo record 3834942, 12.9 GB) to DIR, resuming an interrupted
# download, and checks its sha256. Each archive inside it (openwebtext/urlsf_subsetNN-M_data.xz, an
# xz-compressed tar of .txt documents) becomes OUTPUT_DIR/urlsf_subsetNN-M_data.txt (default DIR/text,
# DIR/sample-N with --max_docs=N: the first N documents): one stripped non-blank line per line, a blank
# line after each document, UTF-8. Streams; rerunning keeps the archives already converted.
set -euo pipefail
PROG=get_openwebtext
# shellcheck source=scripts/fetchlib.sh
source "$(dirname "$0")/fetchlib.sh"
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Path under the base URL, bytes, sha256: as recorded by Hugging Face datasets
# (datasets/openwebtext/dataset_infos.json) for this URL and, for the same file on Google Drive, by
# EleutherAI's the-pile (the_pile/datasets.py); docs/data_sources.md. Not re-measured here.
ARCHIVE_KEY=record/3834942/files/openwebtext.tar.xz
REAL_BYTES=12880027468
REAL_SHA256=9fe39d154c5bc67da8c359415372b79510eb1e2edb0d035fe4f7fc3a732b9336

dir=""
max_docs=0
threads=$(nproc 2>/dev/null || echo 1)
output_dir=""
delete_archive=0
base_url=https://zenodo.org
checksums=""
for arg in "$@"; do
  case "$arg" in
    --max_docs=*) max_docs="${arg#*=}" ;;
    --threads=*) threads="${arg#*=}" ;;
    --output_dir=*) output_dir="${arg#*=}" ;;
    --delete_archive) delete_archive=1 ;;
    --base_url=*) base_url="${arg#*=}" ;;
    --checksums=*) checksums="${arg#*=}" ;;
    -h | --help) usage ;;
    -*) error "unknown flag $arg"; usage ;;
    *) [ -z "$dir" ] || { error "more than one DIR ($dir, $arg)"; usage; }; dir="$arg" ;;
  esac
done
[ -n "$dir" ] || usage
[[ "$max_docs" =~ ^[0-9]+$ ]] || die "--max_docs=$max_docs is not a number"
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads=$threads must be a positive number"
base_url="${base_url%/}"
need_tools curl sha256sum python3 flock numfmt
if [ -n "$checksums" ]; then
  load_checksums "$checksums"
else
  SHA256[$ARCHIVE_KEY]=$REAL_SHA256
  BYTES[$ARCHIVE_KEY]=$REAL_BYTES
fi

mkdir -p "$dir" || die "cannot create $dir"
dir=$(cd "$dir" && pwd)
if [ -z "$output_dir" ]; then
  output_dir="$dir/text"
  [ "$max_docs" -gt 0 ] && output_dir="$dir/sample-$max_docs"
fi
exec 9>"$dir/.get_openwebtext.lock"
flock -n 9 || die "another get_openwebtext.sh is working in $dir (lock $dir/.get_openwebtext.lock)"

archive="$dir/openwebtext.tar.xz"
want="${SHA256[$ARCHIVE_KEY]:-}"
if [ -f "$output_dir/DONE" ] && grep -q "\"sha256\": \"$want\", \"max_docs\": $max_docs," "$output_dir/DONE"; then
  note "already complete: $output_dir ($(grep -o '"documents": [0-9]*' "$output_dir/DONE"))"
  exit 0
fi

size="${BYTES[$ARCHIVE_KEY]:-}"
if [ -n "$size" ] && [ ! -f "$archive" ]; then
  free=$(($(df --output=avail -k "$dir" | tail -1) * 1024))
  need=$((size - $(file_size "$archive.part")))
  [ "$free" -ge "$need" ] || note "warning: $dir has $(human "$free") free, the archive needs $(human "$need") more"
fi
fetch_verified "$ARCHIVE_KEY" "$base_url/$ARCHIVE_KEY" "$archive" || exit 1

what="all documents"
[ "$max_docs" -eq 0 ] || what="the first $max_docs documents"
note "converting $what of $archive into $output_dir with $threads thread(s)"
python3 "$(dirname "$0")/owt_to_text.py" --archive="$archive" --output_dir="$output_dir" \
  --threads="$threads" --max_docs="$max_docs" --sha256="$want" || exit 1
if [ "$delete_archive" -eq 1 ]; then
  rm -f "$archive"
  note "deleted $archive"
fi
note "shard it with: bazel-bin/corpus/shard_corpus --input='$output_dir/*.txt' --vocab=VOCAB --output_dir=SHARDS"
