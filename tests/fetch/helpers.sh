# shellcheck shell=bash
# Helpers for the download tests (sourced after tests/fetch/testlib.sh): fixtures in the upstream
# formats, local HTTP servers on 127.0.0.1 (stopped on exit), a small full disk.
FIXTURES="$TMP/fixtures"
CLEANUP=()
trap 'for c in "${CLEANUP[@]}"; do eval "$c"; done' EXIT

make_fixtures() {
  bash tests/fetch/make_fixtures.sh "$FIXTURES" >"$TMP/fixtures.log" 2>&1 ||
    { echo "making the fixtures failed:"; cat "$TMP/fixtures.log"; exit 2; }
}

# wait_for FILE PATTERN: up to 10 s for the pattern to appear in the file.
wait_for() {
  local i
  for i in $(seq 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for /$2/ in $1"
  exit 2
}

# start_plain_server ROOT: Python's stock `python3 -m http.server` (it ignores Range headers) on a
# free port; sets URL.
start_plain_server() {
  local log="$TMP/plain-server.$RANDOM.log"
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$1" >"$log" 2>&1 &
  CLEANUP+=("kill $! 2>/dev/null")
  wait_for "$log" 'Serving HTTP on .* port [0-9]'
  URL="http://127.0.0.1:$(grep -o 'port [0-9]*' "$log" | head -1 | cut -d' ' -f2)"
}

# start_range_server ROOT LOG [--drop=PATH:BYTES]: tests/fetch/serve.py (HTTP ranges, a dropped
# connection on request); sets URL. LOG gets one "GET PATH RANGE STATUS" line per request.
start_range_server() {
  local root="$1" log="$2" port_file="$TMP/port.$RANDOM"
  shift 2
  python3 tests/fetch/serve.py "$root" "$port_file" "$log" "$@" 2>"$log.stderr" &
  CLEANUP+=("kill $! 2>/dev/null")
  wait_for "$port_file" '[0-9]'
  URL="http://127.0.0.1:$(cat "$port_file")"
}

# small_disk DIR KB: a tmpfs of KB kB at DIR (needs root); otherwise sets LIMITED to a command prefix
# that caps file sizes (ulimit -f) instead. Sets DISK_MODE.
small_disk() {
  mkdir -p "$1"
  LIMITED=()
  if mount -t tmpfs -o size="$2"k tmpfs "$1" 2>/dev/null; then
    DISK_MODE="tmpfs of $2 kB"
    CLEANUP+=("umount '$1' 2>/dev/null")
  else
    DISK_MODE="ulimit -f $2 (no permission to mount)"
    LIMITED=(bash -c 'ulimit -f "$0"; exec "$@"' "$2")
  fi
}
