#!/usr/bin/env bash
# Starts N copies of a command on this machine the way `torchrun --no-python` does: each with
# RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (and, for several machines,
# --nnodes/--node_rank/--master_addr). Waits for all; if one fails, stops the others.
#   scripts/launch.sh --nproc=N [--nnodes=1 --node_rank=0 --master_addr=127.0.0.1 --master_port=29500] -- CMD ARGS...
set -euo pipefail
nproc=1 nnodes=1 node_rank=0 master_addr=127.0.0.1 master_port=${MASTER_PORT:-29500}
while [ $# -gt 0 ]; do
  case "$1" in
    --nproc=*) nproc="${1#*=}" ;;
    --nnodes=*) nnodes="${1#*=}" ;;
    --node_rank=*) node_rank="${1#*=}" ;;
    --master_addr=*) master_addr="${1#*=}" ;;
    --master_port=*) master_port="${1#*=}" ;;
    --) shift; break ;;
    *) echo "launch.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ $# -gt 0 ] || { echo "usage: launch.sh --nproc=N -- CMD ARGS..." >&2; exit 2; }
world=$((nproc * nnodes))
pids=()
logdir=${LAUNCH_LOG_DIR:-}
for ((i = 0; i < nproc; i++)); do
  rank=$((node_rank * nproc + i))
  if [ -n "$logdir" ]; then
    RANK=$rank LOCAL_RANK=$i WORLD_SIZE=$world MASTER_ADDR=$master_addr MASTER_PORT=$master_port "$@" >"$logdir/rank$rank.log" 2>&1 &
  else
    RANK=$rank LOCAL_RANK=$i WORLD_SIZE=$world MASTER_ADDR=$master_addr MASTER_PORT=$master_port "$@" &
  fi
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
  if ! wait "$pid"; then
    status=1
    kill "${pids[@]}" 2>/dev/null || true
  fi
done
exit $status
