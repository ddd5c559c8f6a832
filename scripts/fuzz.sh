#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, with AddressSanitizer and UndefinedBehaviorSanitizer) and
# runs each for a while on its committed seed corpus (fuzz/corpus/<target>/).
#   scripts/fuzz.sh [--seconds=60] [--targets=tokenizer,vocab,record,example,glue_tsv,config,safetensors,manifest]
#                   [--jobs=1]
# Prints one line per target (executions, new corpus entries, crashes); crashing inputs are kept
# in fuzz/crashes/ and the script exits 1. Add each one as a regression case.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=tokenizer,vocab,record,example,glue_tsv,config,safetensors,manifest
for arg in "$@"; do
  case "$arg" in
    --seconds=*) seconds="${arg#*=}" ;;
    --targets=*) targets="${arg#*=}" ;;
    *) echo "fuzz.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is missing (scripts/setup.sh installs clang)" >&2; exit 1; }
build=${FUZZ_BUILD_DIR:-/tmp/electra_fuzz}
mkdir -p "$build/gen" fuzz/crashes
protoc --cpp_out="$build/gen" corpus/example.proto || exit 1

absl=$(ls /usr/lib/x86_64-linux-gnu/libabsl_*.so | sed -E 's|.*/lib(absl_[a-z0-9_]+)\.so|-l\1|' | tr '\n' ' ')
cxx=(clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
     -I. -I"$build/gen" -w)
common=(base/file_util.cc base/progress.cc)
tok=(tokenizer/utf8.cc tokenizer/bert_normalizer.cc tokenizer/vocab.cc tokenizer/wordpiece.cc tokenizer/bert_tokenizer.cc)
torch_flags=(-I/usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10)

sources() {
  case "$1" in
    tokenizer|vocab) echo "${tok[*]}" ;;
    record) echo "corpus/crc32c.cc corpus/record_io.cc" ;;
    example) echo "corpus/crc32c.cc corpus/record_io.cc corpus/pretraining_example.cc $build/gen/corpus/example.pb.cc" ;;
    glue_tsv) echo "glue/tasks.cc tokenizer/utf8.cc" ;;
    config) echo "model/config.cc" ;;
    safetensors) echo "model/safetensors.cc" ;;
    manifest) echo "corpus/crc32c.cc corpus/file_manifest.cc" ;;
  esac
}

status=0
printf "| target | seconds | executions | corpus (seeds -> after) | crashes |\n|---|---|---|---|---|\n"
for t in ${targets//,/ }; do
  bin="$build/${t}_fuzz"
  extra=()
  [ "$t" = safetensors ] && extra=("${torch_flags[@]}")
  # shellcheck disable=SC2046
  if ! "${cxx[@]}" "fuzz/${t}_fuzz.cc" $(sources "$t") "${common[@]}" -o "$bin" $absl -licuuc -licudata -lprotobuf \
       "${extra[@]+"${extra[@]}"}" 2>"$build/$t.build.log"; then
    echo "fuzz.sh: building $t failed:" >&2
    head -20 "$build/$t.build.log" >&2
    status=1
    continue
  fi
  work="$build/corpus_$t"
  rm -rf "$work" && mkdir -p "$work"
  seeds="fuzz/corpus/$t"
  log="$build/$t.log"
  ASAN_OPTIONS=detect_leaks=0:detect_odr_violation=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -print_final_stats=1 \
      -artifact_prefix="fuzz/crashes/$t-" "$work" "$seeds" >"$log" 2>&1
  rc=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  crashes=$(ls fuzz/crashes/ 2>/dev/null | grep -c "^$t-" || true)
  printf "| %s | %s | %s | %s -> %s | %s |\n" "$t" "$seconds" "${runs:-?}" "$(ls "$seeds" | wc -l)" \
    "$(( $(ls "$work" | wc -l) + $(ls "$seeds" | wc -l) ))" "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    status=1
    grep -E "ERROR|SUMMARY|runtime error|==[0-9]+==" "$log" | head -8 >&2
  fi
done
exit $status
