#!/bin/bash
# Task-adaptive pretraining at the demo size (issue 23): mini pretrained for 1000 steps (batch 64,
# two processes) on the books + WikiText-2, with (WITH_GLUE=1) or without the unlabelled training
# sentences of CoLA, SST-2, MRPC, STS-B and RTE (glue/task_text); held-out scores on the two books.
# usage: pretrain.sh WORK STEPS LR WARMUP WITH_GLUE(0/1); this session: WORK=work/tapt/e1 1000 1e-3 100 1
# and work/tapt/c1 1000 1e-3 100 0 (the text was made by a Python equivalent that task_text reproduces byte for byte).
cd "$(dirname "$0")/../../.."  # the repository root
w=$1 steps=$2 lr=$3 warm=$4 glue=$5
b=bazel-bin g=data/corpus/gutenberg
mkdir -p $w/logs
heldout="$g/Alice-s-Adventures-in-Wonderland_11.txt,$g/The-Adventures-of-Sherlock-Holmes_1661.txt"
train=$(ls $g/*.txt | grep -v -e Alice -e Sherlock | paste -sd,),data/corpus/wikitext-2-raw/wiki.valid.raw
vin=$train data="$w/train/*.tfrecord*"
text=$w/glue_train.txt
[ "$glue" != 1 ] || [ -s $text ] || $b/glue/task_text --tasks=CoLA,SST-2,MRPC,STS-B,RTE --output=$text 2>>$w/logs/data.log
[ "$glue" = 1 ] && vin="$vin,$text" data="$data,$w/glue/*.tfrecord*"
echo "$(date +%T) data" >&2
[ -s $w/vocab.txt ] || $b/tokenizer/build_vocab --input="$vin" --output=$w/vocab.txt --vocab_size=8000 --threads=2 2>>$w/logs/data.log
[ -d $w/train ] || $b/corpus/shard_corpus --input="$train" --vocab=$w/vocab.txt --output_dir=$w/train --num_shards=4 --blank_lines_separate_docs=false --threads=2 --overwrite 2>>$w/logs/data.log
[ "$glue" != 1 ] || [ -d $w/glue ] || $b/corpus/shard_corpus --input=$text --vocab=$w/vocab.txt --output_dir=$w/glue --num_shards=4 --blank_lines_separate_docs=true --threads=2 --overwrite 2>>$w/logs/data.log
[ -d $w/heldout ] || $b/corpus/shard_corpus --input="$heldout" --vocab=$w/vocab.txt --output_dir=$w/heldout --num_shards=1 --blank_lines_separate_docs=false --threads=2 --overwrite 2>>$w/logs/data.log
flags=(--data="$data" --size=mini --steps=$steps --batch_size=64 --seed=42 --device=cpu --threads=1 --log_every=100
       --generator_fraction=0.25 --lr=$lr --warmup_steps=$warm)
echo "$(date +%T) pretrain" >&2
scripts/launch.sh --nproc=2 --master_port=$((29500 + RANDOM % 10000)) -- $b/train/pretrain "${flags[@]}" --output_dir=$w/run --save_every=$((steps/2)) --keep=100 2>>$w/logs/pretrain.log
$b/train/pretrain "${flags[@]}" --output_dir=$w/untrained --stop_at=1 2>>$w/logs/pretrain.log
printf -v last "%s/run/checkpoints/step-%08d" $w $steps
for m in untrained:$w/untrained/checkpoints/step-00000001 step-$steps:$last; do
  $b/train/score_checkpoint --checkpoint=${m#*:} --data="$w/heldout/*.tfrecord*" --threads=1 --json=$w/score_${m%%:*}.json 2>>$w/logs/score.log | sed "s/^/${m%%:*}: /" >&2
done
echo "$(date +%T) pretrained" >&2
