#!/bin/bash
# usage: finetune.sh OUT RUNS name:model_dir ... : demo slices (2000 training rows), 5 tasks, 2 at a time
cd "$(dirname "$0")/../../.."  # the repository root
out=$1 runs=$2; shift 2
jobs=()
for m in "$@"; do for t in CoLA SST-2 MRPC STS-B RTE; do jobs+=("$m:$t"); done; done
one() { bazel-bin/glue/finetune --task=$3 --data_dir=data/glue --model=$2 --output_dir=$out/$1 --runs=$runs --seed=42 \
   --threads=1 --test_limit=0 --train_limit=2000 >>$out/$1.log 2>&1 || echo "FAIL $1 $3"; }
mkdir -p $out; n=0
for j in "${jobs[@]}"; do IFS=: read -r name dir task <<<"$j"; one $name $dir $task & n=$((n+1)); [ $n -ge 2 ] && { wait -n; n=$((n-1)); }; done
wait
for m in "$@"; do bazel-bin/eval/evaluate --results_dir=$out/${m%%:*} --reference=none --aggregate=mean --format=json --json=$out/${m%%:*}.json >/dev/null; done
python3 - "$out" "$@" <<'PY'
import json,sys
out=sys.argv[1]
for m in sys.argv[2:]:
    n=m.split(":")[0]; j=json.load(open(f"{out}/{n}.json"))["tasks"]
    print(n, " ".join(f"{t} {j[t]['mean']:.2f}±{j[t]['std']:.2f}" for t in ["CoLA","SST-2","MRPC","STS-B","RTE"]), "avg %.2f" % (sum(j[t]['mean'] for t in j)/len(j)))
PY
