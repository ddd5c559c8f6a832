#!/usr/bin/env bash
# Runs every test: setup, then `bazel test //...`. Ends with the line "N passed, N failed".
#   scripts/test.sh               all tests (optimised build)
#   scripts/test.sh --sanitize    the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/test.sh //tokenizer/...   only these targets
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

config=()
targets=()
for arg in "$@"; do
  case "$arg" in
    --sanitize) config=(--config=sanitize) ;;
    *) targets+=("$arg") ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(//...)

log=$(mktemp)
bazel test "${config[@]+"${config[@]}"}" --test_summary=short --keep_going "${targets[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log")
failed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD|INCOMPLETE)' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build itself failed
fi
rm -f "$log"

# The fuzz targets, briefly, on their committed seed corpora (scripts/fuzz.sh for longer runs).
if [ ${#targets[@]} -eq 1 ] && [ "${targets[0]}" = //... ] && [ ${#config[@]} -eq 0 ]; then
  if ./scripts/fuzz.sh --seconds="${FUZZ_SECONDS:-5}"; then
    passed=$((passed + 1))
    echo "fuzz smoke run: PASSED"
  else
    failed=$((failed + 1))
    echo "fuzz smoke run: FAILED (crashing inputs in fuzz/crashes/)"
  fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
