#!/usr/bin/env python3
"""Writes small GLUE files in the exact layout of the tasks this repository has no data for
(MNLI, QQP and the AX diagnostic), as the GLUE download script lays them out: the same headers,
column counts, label strings, and QQP's occasional rows with missing fields.
Run from the repository root: python3 tests/glue_fixtures/make_fixtures.py"""
import os
import random

random.seed(7)
OUT = "tests/glue_fixtures"
SUBJECTS = ["the man", "a woman", "the dog", "two kids", "the old farmer", "a teacher", "the band"]
VERBS = ["walks", "sleeps", "eats lunch", "plays music", "reads a book", "runs home", "sings loudly"]
PLACES = ["in the park", "at home", "on the street", "by the river", "at school"]


def sentence():
    return f"{random.choice(SUBJECTS).capitalize()} {random.choice(VERBS)} {random.choice(PLACES)}."


def mnli_pair():
    s1 = sentence()
    label = random.choice(["entailment", "neutral", "contradiction"])
    if label == "entailment":
        s2 = s1.replace(".", ", it is said.")
    elif label == "contradiction":
        s2 = "Nobody " + s1.split(" ", 2)[-1]
    else:
        s2 = sentence()
    return s1, s2, label


def write(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")


parse = lambda s: "( " + " ".join(s.rstrip(".").split()) + " . )"
base = ["index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
        "sentence1_parse", "sentence2_parse", "sentence1", "sentence2"]
rows = []
for i in range(120):
    s1, s2, label = mnli_pair()
    rows.append([i, 1000 + i, f"{1000 + i}e", "fiction", parse(s1), parse(s2), "(ROOT " + parse(s1) + ")",
                 "(ROOT " + parse(s2) + ")", s1, s2, label, label])
write(f"{OUT}/MNLI/train.tsv", base + ["label1", "gold_label"], rows)
for name, genre in [("dev_matched", "fiction"), ("dev_mismatched", "letters")]:
    rows = []
    for i in range(30):
        s1, s2, label = mnli_pair()
        rows.append([i, 2000 + i, f"{2000 + i}n", genre, parse(s1), parse(s2), "(ROOT)", "(ROOT)", s1, s2,
                     label, label, label, "neutral", label, label])
    write(f"{OUT}/MNLI/{name}.tsv", base + ["label1", "label2", "label3", "label4", "label5", "gold_label"], rows)
for name in ["test_matched", "test_mismatched"]:
    rows = []
    for i in range(25):
        s1, s2, _ = mnli_pair()
        rows.append([i, 3000 + i, f"{3000 + i}c", "fiction", parse(s1), parse(s2), "(ROOT)", "(ROOT)", s1, s2])
    write(f"{OUT}/MNLI/{name}.tsv", base, rows)

rows = []
for i in range(140):
    q1, q2 = sentence().replace(".", "?"), sentence().replace(".", "?")
    dup = random.randint(0, 1)
    if dup:
        q2 = q1.replace("?", " really?")
    rows.append([i, 2 * i + 1, 2 * i + 2, q1, q2, dup])
rows[17][4] = ""          # an empty question: dropped and counted
rows[58] = rows[58][:4]   # a row with missing fields: dropped and counted
write(f"{OUT}/QQP/train.tsv", ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"], rows)
rows = []
for i in range(40):
    q1, q2 = sentence().replace(".", "?"), sentence().replace(".", "?")
    rows.append([i, 900 + i, 950 + i, q1, q2, random.randint(0, 1)])
write(f"{OUT}/QQP/dev.tsv", ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"], rows)
write(f"{OUT}/QQP/test.tsv", ["id", "question1", "question2"],
      [[i, sentence().replace(".", "?"), sentence().replace(".", "?")] for i in range(30)])
write(f"{OUT}/diagnostic/diagnostic.tsv", ["index", "sentence1", "sentence2"],
      [[i] + list(mnli_pair()[:2]) for i in range(20)])
