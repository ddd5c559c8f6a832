#!/usr/bin/env bash
# GLUE against pretraining minutes, and against training FLOPs, for both objectives (electra.dat,
# mlm.dat from make_table.py: minutes, average, FLOPs), with the untrained line(s): plot.sh DIR.
# Minutes are each run's own clock; FLOPs are the same on every machine, so glue_vs_flops.png is the
# comparison to read where the runs were measured on different machines.
set -euo pipefail
dir=$1
ue=$(head -1 "$dir/electra.dat" | cut -d' ' -f2)
um=$(awk '$1 == 0 {print $2}' "$dir/mlm.dat")
mlm_untrained=""
[ -n "$um" ] && mlm_untrained=", $um with lines dt 3 lc rgb \"gray40\" title \"untrained (MLM run's initialisation)\""
gnuplot <<GNUPLOT
set terminal pngcairo size 900,560 font "sans,10" noenhanced
set output "$dir/glue_vs_minutes.png"
set title "ELECTRA against masked LM at equal CPU minutes (mini, 2 cores, bf16): GLUE of the fine-tuned encoder"
set xlabel "pretraining minutes on this machine (2 CPU cores)"
set ylabel "GLUE average of 5 tasks (dev, paper task scores, mean of 3 seeds)"
set grid
set key bottom right
set xrange [-1:65]
plot "$dir/electra.dat" using 1:2 with linespoints lw 2 pt 7 title "ELECTRA (replaced-token detection)", \
     "$dir/mlm.dat" using 1:2 with linespoints lw 2 pt 5 title "masked LM (BERT objective)", \
     $ue with lines dt 2 lc rgb "black" title "untrained (ELECTRA run's initialisation)"$mlm_untrained
GNUPLOT
gnuplot <<GNUPLOT
set terminal pngcairo size 900,560 font "sans,10" noenhanced
set output "$dir/glue_vs_flops.png"
set title "ELECTRA against masked LM at equal training FLOPs (mini, CPU, bf16): GLUE of the fine-tuned encoder"
set xlabel "pretraining FLOPs (1e14)"
set ylabel "GLUE average of 5 tasks (dev, paper task scores, mean of 3 seeds)"
set grid
set key bottom right
set xrange [-0.2:10]
plot "$dir/electra.dat" using (\$3/1e14):2 with linespoints lw 2 pt 7 title "ELECTRA (replaced-token detection)", \
     "$dir/mlm.dat" using (\$3/1e14):2 with linespoints lw 2 pt 5 title "masked LM (BERT objective)", \
     $ue with lines dt 2 lc rgb "black" title "untrained (ELECTRA run's initialisation)"$mlm_untrained
GNUPLOT
echo "wrote $dir/glue_vs_minutes.png and $dir/glue_vs_flops.png" >&2
