# shellcheck shell=bash
# Download helpers shared by scripts/get_glue.sh and scripts/get_openwebtext.sh (sourced; the
# caller sets PROG and `set -euo pipefail`).
#
# A file is downloaded to NAME.part, continued with an HTTP range request after an interruption
# (curl --continue-at -), checked against its recorded sha256 and only then renamed to NAME. So a
# final name always holds verified bytes, and a rerun never fetches again what is already there.
#
# Checksums: the caller fills SHA256[key] and BYTES[key] (key = the file's path under the base URL,
# e.g. glue/data/CoLA.zip) from its built-in table, or load_checksums replaces that table with a
# manifest (--checksums=FILE; used by the tests, whose fixtures differ from the real archives).

declare -A SHA256=()
declare -A BYTES=()

note() { echo "$PROG: $*" >&2; }
error() { echo "$PROG: error: $*" >&2; }
die() { error "$*"; exit 1; }

file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }
human() {
  if [ "$1" -lt 1024 ]; then echo "$1 B"; else numfmt --to=iec --suffix=B --format='%.1f' "$1"; fi
}
sha256_of() { sha256sum -- "$1" | cut -d' ' -f1; }

need_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || die "needs '$t' (scripts/setup.sh installs it)"
  done
}

# load_checksums FILE: lines "SHA256 BYTES KEY" or "SHA256 KEY" (sha256sum's format); # comments.
load_checksums() {
  local file="$1" n=0 sha a b extra
  [ -r "$file" ] || die "cannot read checksum manifest $file"
  SHA256=()
  BYTES=()
  while read -r sha a b extra || [ -n "$sha" ]; do
    n=$((n + 1))
    case "$sha" in '' | '#'*) continue ;; esac
    [[ "$sha" =~ ^[0-9a-f]{64}$ && -n "$a" && -z "$extra" ]] ||
      die "$file:$n: expected 'SHA256 [BYTES] NAME'"
    if [ -n "$b" ]; then
      [[ "$a" =~ ^[0-9]+$ ]] || die "$file:$n: '$a' is not a byte count"
      SHA256[$b]=$sha
      BYTES[$b]=$a
    else
      SHA256[${a#\*}]=$sha
    fi
  done <"$file"
}

# run_curl URL PART LABEL: one transfer, appending to PART; sets CURL_RC and HTTP_CODE. Progress on
# stderr: curl's bar on a terminal, otherwise a line every 10 s (logs stay readable).
run_curl() {
  local url="$1" part="$2" label="$3" code_file
  code_file=$(mktemp)
  local args=(--fail --location --continue-at - --connect-timeout 30 --speed-limit 1024 --speed-time 60
    --write-out '%{http_code}' --output "$part" "$url")
  if [ -t 2 ]; then
    curl --progress-bar "${args[@]}" >"$code_file" && CURL_RC=0 || CURL_RC=$?
  else
    curl --silent --show-error "${args[@]}" >"$code_file" &
    local pid=$! ticks=0 total="${BYTES[$label]:-}"
    while kill -0 "$pid" 2>/dev/null; do
      sleep 0.2
      ticks=$((ticks + 1))
      if [ $((ticks % 50)) -eq 0 ]; then
        note "$label: $(human "$(file_size "$part")")${total:+ of $(human "$total")}"
      fi
    done
    wait "$pid" && CURL_RC=0 || CURL_RC=$?
  fi
  HTTP_CODE=$(cat "$code_file" 2>/dev/null || true)
  rm -f "$code_file"
}

# fetch_verified KEY URL DEST: DEST ends up holding the verified file, or the function reports an
# error naming the file and returns 1 (DEST untouched; a resumable prefix may stay in DEST.part).
fetch_verified() {
  local key="$1" url="$2" dest="$3"
  local want="${SHA256[$key]:-}" size="${BYTES[$key]:-}" part="$dest.part"
  [ -n "$want" ] || { error "no checksum recorded for $key; cannot verify it"; return 1; }
  if [ -f "$dest" ]; then
    if [ "$(sha256_of "$dest")" = "$want" ]; then
      note "$key: already downloaded and verified"
      return 0
    fi
    note "$key: $dest does not match its checksum; downloading it again"
    rm -f "$dest"
  fi
  mkdir -p "$(dirname "$dest")"
  # A prefix longer than the file cannot be continued.
  if [ -n "$size" ] && [ "$(file_size "$part")" -gt "$size" ]; then rm -f "$part"; fi
  local attempt=0 restarted=0 have
  while :; do
    have=$(file_size "$part")
    # Complete already (an earlier run stopped before verifying): asking for more would fail.
    if [ -n "$size" ] && [ "$have" -eq "$size" ]; then break; fi
    attempt=$((attempt + 1))
    if [ "$have" -gt 0 ]; then
      note "$key: resuming at $(human "$have")${size:+ of $(human "$size")} from $url"
    else
      note "$key: downloading $url${size:+ ($(human "$size"))}"
    fi
    run_curl "$url" "$part" "$key"
    case "$CURL_RC" in
      0) break ;;
      33)
        # The server ignores ranges: start over once.
        if [ "$restarted" -eq 0 ]; then
          note "$key: the server cannot continue a download; starting it again"
          rm -f "$part"
          restarted=1
          continue
        fi
        error "$key: $url cannot be resumed"
        return 1
        ;;
      22)
        if [ "$HTTP_CODE" = 416 ] && [ "$have" -gt 0 ]; then
          # Nothing left to send: either complete already or not a prefix of this file.
          [ "$(sha256_of "$part")" = "$want" ] && break
          if [ "$restarted" -eq 0 ]; then
            rm -f "$part"
            restarted=1
            continue
          fi
        fi
        [ "$(file_size "$part")" -eq 0 ] && rm -f "$part"
        local why=""
        [ "$HTTP_CODE" = 404 ] && why=" (not found)"
        error "$key: $url answered HTTP ${HTTP_CODE:-error}$why; $dest was not downloaded"
        return 1
        ;;
      23)
        error "$key: writing $part failed (disk full? $(df -h --output=avail "$(dirname "$part")" 2>/dev/null | tail -1 | tr -d ' ') free); rerun to resume"
        return 1
        ;;
      18 | 28 | 52 | 55 | 56 | 92)
        if [ "$attempt" -lt 4 ]; then
          note "$key: transfer interrupted at $(human "$(file_size "$part")") (curl exit $CURL_RC); continuing"
          sleep "$attempt"
          continue
        fi
        error "$key: the transfer of $url keeps breaking off (curl exit $CURL_RC); rerun to resume from $part"
        return 1
        ;;
      *)
        [ "$(file_size "$part")" -eq 0 ] && rm -f "$part"
        error "$key: downloading $url failed (curl exit $CURL_RC)"
        return 1
        ;;
    esac
  done
  note "$key: verifying sha256"
  local got n
  got=$(sha256_of "$part") || { error "$key: cannot read $part"; return 1; }
  if [ "$got" != "$want" ]; then
    n=$(file_size "$part")
    rm -f "$part"
    local hint=""
    if [ -n "$size" ] && [ "$n" -ne "$size" ]; then hint=", $n bytes instead of $size (truncated or a different file)"; fi
    error "$key: checksum mismatch for $url: sha256 $got, expected $want$hint; the download was removed"
    return 1
  fi
  mv -f "$part" "$dest"
  note "$key: verified (sha256 ${want:0:16}...)"
}
