#!/usr/bin/env bash
# The main job on the bundled data, CPU only, about 10 minutes on 2 cores: builds the tools and
# runs the whole pipeline with the tiny model: learns an 8000-token vocabulary from the bundled
# books and WikiText-2, shards them, pretrains ELECTRA-tiny for 3000 steps, fine-tunes it and the
# same architecture from its untrained initialisation on every bundled GLUE task (2000-example
# training slices, full dev sets), prints both rows with the difference (what pretraining
# bought) and the final disc_loss / H(p) and AUC of the pretraining, and writes a submission.
#
# The longer run on this CPU is scripts/cpu_recipe.sh (the mini model, 30-60 minutes of pretraining;
# it gains on the GLUE average mostly through STS-B, while CoLA and SST-2 stay below the untrained
# model; README "Pretraining on a CPU: where it pays off and where it does not yet").
#
# This is a smoke run of the real system, NOT the paper's numbers: ELECTRA-Small needs a GPU and
# ~1M steps (4 days on a V100 for the official result). For the real thing:
#   scripts/pipeline.sh --size=small --device=cuda [--gpus=N]      (see README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "demo: a CPU smoke run with the tiny model (2 layers, width 64); the numbers are NOT ELECTRA-Small's." >&2
start=$(date +%s)
./scripts/pipeline.sh --size=tiny --build_vocab_size=8000 --steps=3000 --warmup_steps=300 --batch_size=32 \
  --blank_lines_separate_docs=false --save_every=1000 --log_every=250 --device=cpu --runs=1 --compare_untrained \
  --work_dir="${DEMO_DIR:-work/demo}" --pretrain_args="--threads=1" --finetune_args="--train_limit=2000 --threads=1" "$@"
echo "demo: finished in $(( ($(date +%s) - start) / 60 )) min. This was the tiny CPU model on small slices:" \
  "a smoke run, not the paper's numbers. Run the real thing with scripts/pipeline.sh --size=small --device=cuda." >&2
