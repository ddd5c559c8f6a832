#!/usr/bin/env bash
# The CPU pretraining step, ours against an independent eager PyTorch ELECTRA (bench/eager_electra.py,
# Debian's python3-torch 1.13, the same LibTorch build as ours), side by side in one run: sizes x
# precisions x configurations (one process with 1 or 2 threads, two data-parallel processes with one
# thread each through c10d/Gloo), alternating, --rounds times. Batch 32 x 128 tokens, the 8000-token
# vocabulary of the bundled books and WikiText-2 (made under --work on the first run).
#   scripts/bench_cpu_step.sh [--sizes=tiny,mini,small] [--precisions=fp32,bf16] [--steps=20] [--rounds=2]
#       [--configs=t1,t2,p2] (t2p: 2 threads with OMP_WAIT_POLICY=PASSIVE, libgomp's workers sleeping;
#       t2 is the default environment, in which our tools set PASSIVE themselves since commit 1fec951) [--work=work/bench_cpu_step] [--bin=bazel-bin] [--emulated_bf16]
# bf16 runs only where the CPU has native bf16 (avx512_bf16 or amx_bf16) unless --emulated_bf16.
# Prints a Markdown table (ms per step = median over rounds, tokens/s, peak RSS per process, the
# ratio ours / eager) and writes it to WORK/table.md, every measurement to WORK/runs.jsonl.
# By hand, not in CI: it takes minutes per size.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=tiny,mini,small
precisions=fp32,bf16
steps=20
rounds=2
configs=t1,t2,p2
work=work/bench_cpu_step
bin=bazel-bin
emulated=false
for arg in "$@"; do
  case "$arg" in
    --sizes=*) sizes="${arg#*=}" ;;
    --precisions=*) precisions="${arg#*=}" ;;
    --steps=*) steps="${arg#*=}" ;;
    --rounds=*) rounds="${arg#*=}" ;;
    --configs=*) configs="${arg#*=}" ;;
    --work=*) work="${arg#*=}" ;;
    --bin=*) bin="${arg#*=}" ;;
    --emulated_bf16) emulated=true ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_cpu_step.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
for t in tokenizer/build_vocab corpus/shard_corpus train/pretrain; do
  [ -x "$bin/$t" ] || { echo "bench_cpu_step.sh: $bin/$t is not built (bazel build -c opt //tokenizer:build_vocab //corpus:shard_corpus //train:pretrain)" >&2; exit 1; }
done
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "bench_cpu_step.sh: needs Debian's python3-torch (apt-get install python3-torch)" >&2; exit 1; }
native=false
grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo && native=true
mkdir -p "$work"
corpus="data/corpus/gutenberg/*.txt,data/corpus/wikitext-2-raw/wiki.valid.raw"
if [ ! -f "$work/shards/shard_spec-00000-of-00001.pbtxt" ]; then
  "$bin/tokenizer/build_vocab" --input="$corpus" --output="$work/vocab.txt" --vocab_size=8000 2>/dev/null
  "$bin/corpus/shard_corpus" --input="$corpus" --vocab="$work/vocab.txt" --output_dir="$work/shards" --num_shards=4 \
    --blank_lines_separate_docs=false --overwrite 2>/dev/null
fi
runs="$work/runs.jsonl"
: >"$runs"
port=$((21000 + RANDOM % 20000))

# measure IMPL SIZE PRECISION CONFIG: one measurement appended to runs.jsonl.
measure() {
  local impl=$1 size=$2 precision=$3 config=$4 procs=1 threads=1
  local launch=() wait_env=()
  case "$config" in t1) ;; t2) threads=2 ;; t2p) threads=2; wait_env=(env OMP_WAIT_POLICY=PASSIVE) ;; p2) procs=2 ;; esac
  [ "$procs" -gt 1 ] && { port=$((port + 1)); launch=(scripts/launch.sh --nproc="$procs" --master_port="$port" --); }
  local extra=()
  [ "$precision" = bf16 ] && [ "$native" = false ] && extra=(--testing_emulated_bf16)
  local cmd
  if [ "$impl" = ours ]; then
    rm -rf "$work/run"
    cmd=("${wait_env[@]+"${wait_env[@]}"}" "${launch[@]+"${launch[@]}"}" "$bin/train/pretrain" --data="$work/shards/pretrain_data.tfrecord-*" --output_dir="$work/run"
         --size="$size" --batch_size=32 --steps=$((2 * steps)) --log_every="$steps" --save_every=1000000 --warmup_steps=10
         --device=cpu --threads="$threads" --precision="$precision" "${extra[@]+"${extra[@]}"}")
  else
    cmd=("${wait_env[@]+"${wait_env[@]}"}" "${launch[@]+"${launch[@]}"}" /usr/bin/python3 bench/eager_electra.py --size="$size" --batch_size=32 --steps="$steps"
         --warmup=3 --vocab_size=8000 --threads="$threads" --precision="$precision")
  fi
  /usr/bin/python3 - "$impl" "$size" "$precision" "$config" "$procs" "$threads" "$work" "${cmd[@]}" >>"$runs" <<'PY'
import json, resource, subprocess, sys
impl, size, precision, config, procs, threads, work = sys.argv[1:8]
cmd = sys.argv[8:]
out = subprocess.run(cmd, capture_output=True, text=True)
if out.returncode != 0:
    sys.stderr.write(f"bench_cpu_step.sh: {' '.join(cmd)} failed:\n{out.stderr[-2000:]}\n")
    sys.exit(1)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if impl == "ours":
    rows = [json.loads(l) for l in open(f"{work}/run/metrics.jsonl") if l.strip()]
    ms = 1000 / rows[-1]["steps_per_second"]  # the second window: steps after the first --steps
else:
    ms = json.loads(out.stdout.strip().splitlines()[-1])["ms_per_step"]
print(json.dumps({"impl": impl, "size": size, "precision": precision, "config": config, "processes": int(procs),
                  "threads": int(threads), "ms_per_step": ms, "tokens_per_s": 32 * 128 / (ms / 1000),
                  "peak_rss_mib_per_process": rss}))
PY
  tail -1 "$runs" >&2
}

for ((round = 0; round < rounds; round++)); do
  for size in ${sizes//,/ }; do
    for precision in ${precisions//,/ }; do
      if [ "$precision" = bf16 ] && [ "$native" = false ] && [ "$emulated" = false ]; then continue; fi
      for config in ${configs//,/ }; do
        # Alternate which implementation goes first, so neither always runs on a cooler machine.
        if [ $((round % 2)) -eq 0 ]; then order=(ours eager); else order=(eager ours); fi
        for impl in "${order[@]}"; do measure "$impl" "$size" "$precision" "$config"; done
      done
    done
  done
done

/usr/bin/python3 - "$runs" "$native" <<'PY' | tee "$work/table.md"
import json, statistics, sys
from collections import defaultdict
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
native = sys.argv[2] == "true"
by = defaultdict(list)
for r in runs:
    by[(r["size"], r["precision"], r["config"], r["impl"])].append(r)
names = {"t1": "1 process, 1 thread", "t2": "1 process, 2 threads", "t2p": "1 process, 2 threads, OMP_WAIT_POLICY=PASSIVE",
         "p2": "2 processes x 1 thread"}
print("| size | precision | configuration | ours ms/step | eager PyTorch ms/step | ours tokens/s | eager tokens/s "
      "| ours / eager speed | ours peak RSS MiB | eager peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|---|")
best = {}
for (size, precision, config, impl) in sorted({k[:3] + ("ours",) for k in by}):
    o, e = by.get((size, precision, config, "ours")), by.get((size, precision, config, "eager"))
    if not o or not e:
        continue
    om = statistics.median(r["ms_per_step"] for r in o)
    em = statistics.median(r["ms_per_step"] for r in e)
    print(f"| {size} | {precision}{'' if native or precision == 'fp32' else ' (emulated)'} | {names[config]} | {om:.0f} | {em:.0f} "
          f"| {32 * 128 / om * 1000:.0f} | {32 * 128 / em * 1000:.0f} | {em / om:.2f}x "
          f"| {max(r['peak_rss_mib_per_process'] for r in o):.0f} | {max(r['peak_rss_mib_per_process'] for r in e):.0f} |")
    for impl, ms in (("ours", om), ("eager", em)):
        key = (size, precision, impl)
        if key not in best or ms < best[key][0]:
            best[key] = (ms, config)
print()
print("Best configuration of each (same two cores):")
for size in sorted({k[0] for k in best}):
    for precision in ("fp32", "bf16"):
        if (size, precision, "ours") in best and (size, precision, "eager") in best:
            (om, oc), (em, ec) = best[(size, precision, "ours")], best[(size, precision, "eager")]
            print(f"- {size} {precision}: ours {om:.0f} ms ({names[oc]}), eager {em:.0f} ms ({names[ec]}): {em / om:.2f}x")
PY
