#!/usr/bin/env bash
# Draws the pretraining curves from RUN/metrics.jsonl as a PNG with gnuplot: generator and
# discriminator losses with H(p), the loss of a constant predictor of the replaced fraction (a
# discriminator that only knows the base rate sits on that line), and the discriminator's ROC
# AUC (0.5 for a constant predictor) with the discriminator / generator accuracies, against steps.
#   scripts/plot_pretraining.sh RUN_DIR [OUT.png]   (default RUN_DIR/loss_curves.png)
set -euo pipefail
run="${1:?usage: plot_pretraining.sh RUN_DIR [OUT.png]}"
out="${2:-$run/loss_curves.png}"
metrics="$run/metrics.jsonl"
[ -s "$metrics" ] || { echo "plot_pretraining.sh: no metrics in $metrics" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "plot_pretraining.sh: gnuplot is not installed (scripts/setup.sh installs gnuplot-nox)" >&2; exit 1; }
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
python3 - "$metrics" >"$dat" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    rows[r["step"]] = r  # a resumed run may log a step again: keep the last
for step in sorted(rows):
    r = rows[step]
    vals = [r.get(k) for k in ("gen_loss", "disc_loss", "disc_accuracy", "gen_accuracy", "loss",
                               "disc_base_entropy", "disc_auc")]
    print(step, " ".join("NaN" if v is None else repr(v) for v in vals))
PY
[ -s "$dat" ] || { echo "plot_pretraining.sh: $metrics holds no rows" >&2; exit 1; }
name=$(basename "$(cd "$run" && pwd)")
gnuplot <<GNUPLOT
set terminal pngcairo size 1100,800 font "sans,10" noenhanced
set output "$out"
set multiplot layout 2,1 title "ELECTRA pretraining: $name"
set grid
set xlabel "step"
set ylabel "generator loss"
set y2label "discriminator loss"
set y2tics
set key top right
plot "$dat" using 1:2 with lines lw 2 title "generator MLM loss", \
     "$dat" using 1:3 axes x1y2 with lines lw 2 title "discriminator loss (right axis)", \
     "$dat" using 1:7 axes x1y2 with lines lw 2 dt 2 lc rgb "black" title "H(p): constant predictor's loss (right axis)"
set ylabel "AUC / accuracy"
unset y2label
unset y2tics
set yrange [0:1]
set key center right
plot "$dat" using 1:8 with lines lw 2 title "discriminator ROC AUC", \
     0.5 with lines dt 2 lc rgb "black" title "AUC of a constant predictor", \
     "$dat" using 1:4 with lines lw 2 title "discriminator accuracy", \
     "$dat" using 1:5 with lines lw 2 title "generator masked-token accuracy"
unset multiplot
GNUPLOT
echo "plot_pretraining.sh: wrote $out" >&2
