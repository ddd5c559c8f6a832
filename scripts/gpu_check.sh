#!/usr/bin/env bash
# One self-contained check for a bare CUDA machine (PyTorch, CMake, nvcc; no Bazel, no network):
# builds against the PyTorch wheel's CUDA LibTorch with the Bazel and Debian libraries that
# scripts/gpu_bundle.sh put in .gpu/, runs the GPU tests, a short GPU pretraining, parity with HF
# transformers both ways, and the ELECTRA-Small throughput benchmark (ours against HF eager and HF
# torch.compile, same card, same run), then prints a short table. About 8 minutes on an H100.
#   scripts/gpu_check.sh [--out=DIR] [--skip_compile_baseline] [--stages=test,bench,pretrain,parity,compile]
#       [--compare_pretraining=STEPS]   (also run scripts/gpu_compare_pretraining.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/gpu_check}"
skip_compile=0
stages=test,bench,pretrain,parity,compile
compare=0
for arg in "$@"; do
  case "$arg" in
    --out=*) out="${arg#*=}" ;;
    --skip_compile_baseline) skip_compile=1 ;;
    --stages=*) stages="${arg#*=}" ;;
    --compare_pretraining=*) compare="${arg#*=}" ;;
    *) echo "gpu_check.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
start=$(date +%s)
note() { echo "[gpu_check +$(( $(date +%s) - start ))s] $*" | tee -a "$out/summary.txt" >&2; }
fail() { note "FAILED: $*"; exit 1; }

[ -x .gpu/bazel ] && [ -s .gpu/sysroot.tar.xz ] || fail ".gpu/ is missing: run scripts/gpu_bundle.sh on a machine with npm and apt first"
card=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)
note "card: $card"
card=${card%%,*}
sysroot=/tmp/electra_sysroot
mkdir -p "$sysroot" && tar -C "$sysroot" --strip-components=1 -xJf .gpu/sysroot.tar.xz || fail "cannot unpack the sysroot"
[ -d data/glue/SST-2 ] || tar -xJf .gpu/data.tar.xz || fail "cannot unpack the data"
torch_dir=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))') || fail "no PyTorch"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__)' | tee -a "$out/summary.txt" >&2
cuda_home=/usr/local/cuda
command -v nvcc >/dev/null && cuda_home=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")
[ -f "$cuda_home/include/cuda_runtime_api.h" ] || cuda_home=$(python3 -c 'import nvidia.cuda_runtime, os; print(os.path.dirname(nvidia.cuda_runtime.__file__))' 2>/dev/null || echo "$cuda_home")
export ELECTRA_SYSROOT="$sysroot" ELECTRA_TORCH_DIR="$torch_dir" ELECTRA_CUDA_HOME="$cuda_home"
export LD_LIBRARY_PATH="$sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
note "torch at $torch_dir, CUDA headers at $cuda_home"
# A C++ compiler that links: some images put a gcc first on PATH whose libstdc++ is elsewhere.
for cc in "${CC:-}" /usr/bin/gcc gcc /usr/bin/gcc-13 /usr/bin/gcc-12; do
  [ -n "$cc" ] && command -v "$cc" >/dev/null || continue
  cxx="${cc/gcc/g++}"
  if echo 'int main() { return 0; }' | "$cxx" -x c++ - -o /tmp/electra_cc_probe 2>/dev/null; then
    export CC="$cc"
    break
  fi
done
note "C compiler: ${CC:-default} ($($CC --version 2>/dev/null | head -1))"
bazel=(.gpu/bazel --nosystem_rc --nohome_rc --output_user_root=/tmp/electra_bazel)
targets=(//train:pretrain //train:gpu_test //glue:finetune //bench:step_bench //model:run_model //model:compare_weights
         //tokenizer:build_vocab //corpus:shard_corpus //eval:evaluate //glue:write_tsv)
std=()
if ! "${bazel[@]}" build --keep_going "${targets[@]}" >"$out/build.log" 2>&1; then
  if grep -qiE "c\+\+20|requires.*concept|std=c\+\+2" "$out/build.log"; then
    note "build needs C++20 with this torch; retrying"
    std=(--cxxopt=-std=c++20)
    "${bazel[@]}" build --keep_going "${std[@]}" "${targets[@]}" >"$out/build.log" 2>&1 || { grep -E "error" "$out/build.log" | head -20 >&2; fail "build (log: build.log)"; }
  else
    grep -E "error|Error" "$out/build.log" | head -30 >&2
    fail "build (log: build.log)"
  fi
fi
note "build OK"
bin=bazel-bin

stage() { [[ ",$stages," == *",$1,"* ]]; }
# 1. GPU tests.
if ! stage test; then :
elif "${bazel[@]}" test "${std[@]}" //train:gpu_test --test_output=all --test_env=LD_LIBRARY_PATH >"$out/gpu_test.log" 2>&1; then
  note "GPU tests passed: $(grep -cE '^\[       OK \]' "$out/gpu_test.log") tests"
else
  grep -E "FAILED|Failure|Expected|Which|error" "$out/gpu_test.log" | head -20 >&2
  note "GPU tests FAILED (gpu_test.log)"
fi

# 2. Throughput: ELECTRA-Small, sequence 128, batch 128, bf16, same card, same run.
: >"$out/bench.jsonl"
if stage bench; then
"$bin/bench/step_bench" --size=small --batch=128 --seq=128 --device=cuda --precision=bf16 --cuda_graph=true \
  >>"$out/bench.jsonl" 2>>"$out/details.log" || note "ours (graph) failed"
"$bin/bench/step_bench" --size=small --batch=128 --seq=128 --device=cuda --precision=bf16 --cuda_graph=false \
  >>"$out/bench.jsonl" 2>>"$out/details.log" || note "ours (eager) failed"
python3 bench/hf_reference.py --mode=eager >>"$out/bench.jsonl" 2>>"$out/details.log" || note "HF eager failed"

note "throughput measured (ours, HF eager): $(wc -l <"$out/bench.jsonl") rows"
fi

# 3. A short pretraining on the GPU (ELECTRA-Small, BERT vocabulary, bundled books): the whole
#    tool end to end, and a checkpoint for the reverse parity check.
work=/tmp/gpu_check_work
if stage pretrain; then
rm -rf "$work" && mkdir -p "$work"
"$bin/corpus/shard_corpus" --input="data/corpus/gutenberg/*.txt" --vocab=data/vocab/bert-base-uncased-vocab.txt \
  --output_dir="$work/shards" --num_shards=4 --threads="$(nproc)" --blank_lines_separate_docs=false 2>>"$out/details.log" || fail "sharding"
if "$bin/train/pretrain" --data="$work/shards/*.tfrecord*" --output_dir="$work/run" --size=small --steps=30 \
     --warmup_steps=10 --log_every=10 --save_every=30 --device=cuda >"$out/pretrain.log" 2>&1; then
  note "pretrain on GPU: $(grep -E 'step 30/30' "$out/pretrain.log" | head -1)"
  note "$(grep -E 'CUDA graph' "$out/pretrain.log" | head -1)"
else
  tail -5 "$out/pretrain.log" >&2
  note "pretrain on GPU FAILED (pretrain.log)"
fi
python3 - "$work/run/tensorboard" >>"$out/summary.txt" 2>&1 <<'PY' || note "TensorBoard could not read the event file"
import sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1]); acc.Reload()
tags = acc.Tags()["scalars"]
print("TensorBoard reads our event file: %d scalar tags, disc_loss at steps %s" % (len(tags), [e.step for e in acc.Scalars("disc_loss")]))
PY

fi

# 4. Parity with HF transformers, both directions (fp32).
if stage parity; then
if python3 bench/parity.py --run_model="$bin/model/run_model" --work="$work/parity" \
     --ours="$work/run/checkpoints/step-00000030" >"$out/parity.jsonl" 2>>"$out/details.log"; then
  note "parity OK"
else
  tail -5 "$out/details.log" >&2
  note "parity FAILED (parity.jsonl, details.log)"
fi
fi

# 5. HF with torch.compile last: its compilation is the slowest part.
if [ "$skip_compile" = 0 ] && stage compile; then
  python3 bench/hf_reference.py --mode=compile >>"$out/bench.jsonl" 2>>"$out/details.log" || note "HF torch.compile failed"
fi

python3 - "$out" "$card" <<'PY'
import json, os, sys
out, card = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(os.path.join(out, "bench.jsonl")) if l.strip().startswith("{")]
print(f"\n## ELECTRA-Small pretraining step, batch 128 x 128 tokens, bf16 - {card}")
print("| implementation | ms/step | tokens/s | peak GiB | TFLOP/s | MFU | vs HF eager |")
print("|---|---|---|---|---|---|---|")
eager = next((r["ms_per_step"] for r in rows if r["impl"] == "hf_transformers" and r["mode"] == "eager"), None)
for r in rows:
    rel = f"{eager / r['ms_per_step']:.2f}x" if eager else "-"
    print(f"| {r['impl']} ({r['mode']}) | {r['ms_per_step']:.2f} | {r['tokens_per_s']:,.0f} | {r['peak_mem_gib']:.2f} | {r['tflops']:.1f} | {100 * r['mfu']:.1f}% | {rel} |")
par = os.path.join(out, "parity.jsonl")
if os.path.exists(par):
    print("\n| parity check (fp32) | max abs diff | ok |\n|---|---|---|")
    for l in open(par):
        if l.strip().startswith("{"):
            r = json.loads(l)
            print(f"| {r['check']} | {r['max_abs_diff']:.2e} | {r['ok']} |")
PY
if [ "$compare" -gt 0 ]; then
  scripts/gpu_compare_pretraining.sh --steps="$compare" --out="$out" --bin="$bin" || note "pretraining comparison failed"
fi
cat "$out/summary.txt" >&2
note "done"
