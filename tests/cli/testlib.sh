# Helpers for the command-line tests (sourced). Each check prints PASS/FAIL; `finish` exits
# non-zero if any check failed.
set -u
FAILURES=0
CHECKS=0
TMP="${TEST_TMPDIR:-$(mktemp -d)}/cli.$$"
mkdir -p "$TMP"

# Finds a built binary inside Bazel's runfiles (or bazel-bin when run by hand).
bin() {
  local name="$1"
  for dir in "${TEST_SRCDIR:-}/electra" "${TEST_SRCDIR:-}/__main__" "$(pwd)" "$(pwd)/bazel-bin"; do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
  done
  echo "missing binary $name" >&2
  exit 2
}

pass() { CHECKS=$((CHECKS + 1)); echo "PASS: $1"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "FAIL: $1"; }

# expect_error "description" "stderr pattern" command args...: the command must exit non-zero
# and print the (extended regular expression) pattern on stderr.
expect_error() {
  local what="$1" pattern="$2"
  shift 2
  local err="$TMP/stderr"
  if "$@" >"$TMP/stdout" 2>"$err"; then
    fail "$what: exit code 0, expected an error"
    return
  fi
  if grep -Eq -- "$pattern" "$err"; then
    pass "$what"
  else
    fail "$what: stderr lacks /$pattern/:"
    sed 's/^/    /' "$err" | head -5
  fi
}

# expect_ok "description" command args...: exit code 0.
expect_ok() {
  local what="$1"
  shift
  if "$@" >"$TMP/stdout" 2>"$TMP/stderr"; then
    pass "$what"
  else
    fail "$what: exit code $?"
    sed 's/^/    /' "$TMP/stderr" | head -5
  fi
}

expect_eq() {
  if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: '$2' != '$3'"; fi
}

finish() {
  echo "$((CHECKS - FAILURES)) of $CHECKS checks passed"
  [ "$FAILURES" -eq 0 ]
}
