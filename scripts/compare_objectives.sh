#!/usr/bin/env bash
# The paper's claim at CPU scale: ELECTRA against BERT's masked LM (--objective=mlm, one encoder the
# discriminator's size) pretrained for the same wall-clock minutes on this machine, each checkpoint
# and each untrained initialisation fine-tuned on the same GLUE tasks and seeds (scripts/cpu_recipe.sh
# for each objective), then one table and one plot of GLUE against minutes for both.
#   scripts/compare_objectives.sh [--work=work/objectives] [--minutes=15,30,60] [--mlm_steps=N] [CPU_RECIPE_FLAGS...]
# --mlm_steps: the masked LM's schedule (--steps and --checkpoints of its run; default: the same as
# ELECTRA's). Its step is cheaper, so equal minutes need more steps for its schedule to end when
# ELECTRA's does (measure both rates first).
# The other flags go to both cpu_recipe.sh runs (--size, --steps, --seeds, --tasks, --pretrain_args,
# ...); --steps must give the run at least the last minute mark (about 2.5 mini steps/s on 2 cores).
# Writes WORK/table.md (both objectives, minutes, training FLOPs, held-out figures, task scores,
# beside the paper's ELECTRA-Small 79.9 and BERT-Small 75.1 at 1.4e18 FLOPs) and
# WORK/glue_vs_minutes.png. Rerunning continues where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
work=work/objectives
minutes=15,30,60
mlm_steps=""
pass=()
for arg in "$@"; do
  case "$arg" in
    --work=*) work="${arg#*=}" ;;
    --minutes=*) minutes="${arg#*=}" ;;
    --mlm_steps=*) mlm_steps="${arg#*=}"
      [[ "$mlm_steps" =~ ^[1-9][0-9]*$ ]] || { echo "compare_objectives.sh: --mlm_steps=$mlm_steps is not a positive whole number" >&2; exit 2; } ;;
    --objective=*) echo "compare_objectives.sh: runs both objectives; --objective is not a flag here" >&2; exit 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) pass+=("$arg") ;;
  esac
done
mkdir -p "$work"
for objective in electra mlm; do
  echo "== compare_objectives: $objective (cpu_recipe.sh --work=$work/$objective)" >&2
  own=()
  [ "$objective" = mlm ] && [ -n "$mlm_steps" ] && own=(--steps="$mlm_steps" --checkpoints="$mlm_steps")
  scripts/cpu_recipe.sh --objective="$objective" --work="$work/$objective" --minutes="$minutes" \
    "${pass[@]+"${pass[@]}"}" "${own[@]+"${own[@]}"}" >"$work/$objective.out"
done

python3 - "$work" >"$work/table.md" <<'PY'
import os, sys
work = sys.argv[1]
out, curves = [], {}
for objective in ("electra", "mlm"):
    lines = [l.rstrip("\n") for l in open(os.path.join(work, objective, "table.md")) if l.startswith("|")]
    if not out:
        out += ["| objective " + lines[0], "|---" + lines[1]]
    out += [f"| {objective} " + l for l in lines[2:] if not l.startswith("| ELECTRA-Small-OWT")]
    curves[objective] = [tuple(map(float, l.split())) for l in open(os.path.join(work, objective, "curve.dat"))]
cells = len(out[0].split("|")) - 2
# The paper's Table 1 (GLUE dev average over its eight tasks, not these five), for scale.
for label, score in (("paper: ELECTRA-Small (1M steps, GPU)", 79.9), ("paper: BERT-Small (1.45M steps, GPU)", 75.1)):
    row = [label.split(":")[0], label.split(": ")[1]] + ["-"] * (cells - 2)
    row[-3], row[-2] = f"{score} (8 tasks)", "1.4e+18"
    out.append("| " + " | ".join(row) + " |")
print("\n".join(out))
for objective, curve in curves.items():
    with open(os.path.join(work, f"{objective}.dat"), "w") as f:
        f.writelines(f"{m} {a}\n" for m, a in curve)
PY
cat "$work/table.md"
if command -v gnuplot >/dev/null; then
  ue=$(head -1 "$work/electra.dat" | cut -d' ' -f2)
  um=$(head -1 "$work/mlm.dat" | cut -d' ' -f2)
  gnuplot <<GNUPLOT
set terminal pngcairo size 900,560 font "sans,10" noenhanced
set output "$work/glue_vs_minutes.png"
set title "ELECTRA against masked LM at equal CPU minutes: GLUE average of the fine-tuned encoder"
set xlabel "pretraining minutes on this machine (2 CPU cores)"
set ylabel "GLUE average (dev, paper task scores)"
set grid
set key bottom right
plot "$work/electra.dat" using 1:2 with linespoints lw 2 pt 7 title "ELECTRA (replaced-token detection)", \
     "$work/mlm.dat" using 1:2 with linespoints lw 2 pt 5 title "masked LM (BERT objective)", \
     $ue with lines dt 2 lc rgb "black" title "untrained (ELECTRA run's initialisation)", \
     $um with lines dt 3 lc rgb "gray40" title "untrained (MLM run's initialisation)"
GNUPLOT
  echo "== compare_objectives: wrote $work/glue_vs_minutes.png" >&2
fi
