#!/usr/bin/env bash
# encode and build_vocab from the command line: results, determinism, and every bad input.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
ENCODE=$(bin tokenizer/encode)
BUILD_VOCAB=$(bin tokenizer/build_vocab)
VOCAB=data/vocab/bert-base-uncased-vocab.txt
BOOK=data/corpus/gutenberg/Alice-s-Adventures-in-Wonderland_11.txt

# encode: ids per line, a final newline does not add a line, stdin works.
printf 'Hello, world!\n\nunaffable' >"$TMP/in.txt"
expect_ok "encode file" "$ENCODE" --vocab=$VOCAB --input="$TMP/in.txt"
expect_eq "encode output" "$(cat "$TMP/stdout")" "$(printf '7592 1010 2088 999\n\n14477 20961 3468')"
printf 'Hello\n' | "$ENCODE" --vocab=$VOCAB >"$TMP/stdin.out" 2>/dev/null
expect_eq "encode stdin, final newline adds no line" "$(cat "$TMP/stdin.out")" "7592"

# Same bytes whatever the thread count.
"$ENCODE" --vocab=$VOCAB --input=$BOOK --threads=1 >"$TMP/t1" 2>/dev/null
"$ENCODE" --vocab=$VOCAB --input=$BOOK --threads=3 >"$TMP/t3" 2>/dev/null
expect_eq "encode output independent of threads" "$(cmp -s "$TMP/t1" "$TMP/t3" && echo same)" same
expect_eq "encode one line per input line" "$(wc -l <"$TMP/t1")" "$(wc -l <$BOOK)"
"$ENCODE" --vocab=$VOCAB --input=$BOOK --output="$TMP/out.ids" 2>/dev/null
expect_eq "encode --output writes the same" "$(cmp -s "$TMP/t1" "$TMP/out.ids" && echo same)" same

# Bad input to encode.
expect_error "encode without --vocab" "--vocab: is required" "$ENCODE" --input="$TMP/in.txt"
expect_error "encode missing vocab" "cannot open .*nope.txt" "$ENCODE" --vocab="$TMP/nope.txt" --input="$TMP/in.txt"
expect_error "encode missing input" "cannot open .*missing.txt" "$ENCODE" --vocab=$VOCAB --input="$TMP/missing.txt"
: >"$TMP/empty.txt"
expect_error "encode empty input" "empty.txt: input is empty" "$ENCODE" --vocab=$VOCAB --input="$TMP/empty.txt"
expect_error "encode empty vocab" "empty.txt: empty vocabulary" "$ENCODE" --vocab="$TMP/empty.txt" --input="$TMP/in.txt"
printf '[UNK]\na\na\n' >"$TMP/dup.txt"
expect_error "encode duplicate vocab token" "dup.txt:3: duplicate token 'a'" "$ENCODE" --vocab="$TMP/dup.txt" --input="$TMP/in.txt"
printf 'a\nb\n' >"$TMP/nounk.txt"
expect_error "encode vocab without [UNK]" "no \[UNK\]" "$ENCODE" --vocab="$TMP/nounk.txt" --input="$TMP/in.txt"
expect_error "encode unknown flag" "Unknown command line flag 'bogus'" "$ENCODE" --vocab=$VOCAB --bogus=1
expect_error "encode bad thread count" "--threads: must be between 1 and 1024" "$ENCODE" --vocab=$VOCAB --input="$TMP/in.txt" --threads=0
expect_error "encode non-numeric flag" "threads" "$ENCODE" --vocab=$VOCAB --threads=many
expect_error "encode stray argument" "unexpected argument 'extra'" "$ENCODE" --vocab=$VOCAB extra
echo keep >"$TMP/kept.ids"
"$ENCODE" --vocab="$TMP/dup.txt" --input="$TMP/in.txt" --output="$TMP/kept.ids" 2>/dev/null
expect_eq "failed encode leaves an existing output alone" "$(cat "$TMP/kept.ids")" keep

# build_vocab: BERT layout, deterministic across threads, loadable by encode.
expect_ok "build_vocab" "$BUILD_VOCAB" --input=$BOOK --output="$TMP/v1.txt" --vocab_size=2000 --threads=1
"$BUILD_VOCAB" --input=$BOOK --output="$TMP/v2.txt" --vocab_size=2000 --threads=2 2>/dev/null
expect_eq "build_vocab independent of threads" "$(cmp -s "$TMP/v1.txt" "$TMP/v2.txt" && echo same)" same
expect_eq "build_vocab size" "$(wc -l <"$TMP/v1.txt")" 2000
expect_eq "build_vocab specials first" "$(head -5 "$TMP/v1.txt" | paste -sd' ')" "[PAD] [UNK] [CLS] [SEP] [MASK]"
expect_ok "vocabulary loads in encode" "$ENCODE" --vocab="$TMP/v1.txt" --input=$BOOK
expect_error "build_vocab missing input" "no such file: .*missing.txt" "$BUILD_VOCAB" --input="$TMP/missing.txt" --output="$TMP/v.txt" --vocab_size=100
expect_error "build_vocab glob matching nothing" "no files match" "$BUILD_VOCAB" --input="$TMP/*.nothing" --output="$TMP/v.txt" --vocab_size=100
expect_error "build_vocab empty input" "no words in the input" "$BUILD_VOCAB" --input="$TMP/empty.txt" --output="$TMP/v.txt" --vocab_size=100
printf 'ok\n\xc3\x28\n' >"$TMP/latin.txt"
expect_error "build_vocab non-UTF-8 input" "latin.txt: not UTF-8 text \(invalid byte at offset 3\)" "$BUILD_VOCAB" --input="$TMP/latin.txt" --output="$TMP/v.txt" --vocab_size=100
expect_error "build_vocab tiny vocab_size" "--vocab_size: must be between" "$BUILD_VOCAB" --input=$BOOK --output="$TMP/v.txt" --vocab_size=3
expect_error "build_vocab without --output" "--output: is required" "$BUILD_VOCAB" --input=$BOOK
expect_error "build_vocab unwritable output" "cannot create" "$BUILD_VOCAB" --input=$BOOK --output="$TMP/no/such/dir/v.txt" --vocab_size=100
expect_eq "nothing half-written" "$(ls "$TMP" | grep -c 'tmp-' || true)" 0
finish
