#!/usr/bin/env python3
"""The table and the plot data of ELECTRA against the masked LM at equal CPU minutes (issue 23).

Each row is one fine-tuned model, given as
    objective:label:minutes:flops:EVAL_JSON:SCORE_JSON
where EVAL_JSON is `eval/evaluate --aggregate=mean --format=json` over its GLUE runs and SCORE_JSON
is `train/score_checkpoint --json` of its checkpoint on the held-out books. Writes OUT/table.md and
OUT/<objective>.dat (minutes, GLUE average, FLOPs) for gnuplot, and prints the table.

    make_table.py OUT ROW...
"""
import json
import os
import sys

TASKS = ["CoLA", "SST-2", "MRPC", "STS-B", "RTE"]
METRIC = {"CoLA": "MCC", "STS-B": "Spearman"}


def held_out_cells(score):
    """ELECTRA: discriminator loss over H(p) and AUC; the masked LM has no discriminator."""
    disc = (f"{score['disc_loss_ratio']:.3f} | {score['disc_auc']:.3f}" if "disc_loss_ratio" in score
            else "- | -")
    return f"{disc} | {score['gen_accuracy']:.3f} | {score['gen_loss']:.3f}"


def main(out, rows):
    lines = ["| objective | model | minutes | train FLOPs | held-out disc_loss / H(p) | AUC | held-out masked-LM acc (ELECTRA: its 1/4 generator) "
             "| held-out masked-LM loss | " + " | ".join(f"{t} ({METRIC.get(t, 'acc')})" for t in TASKS) + " | avg (5 tasks) |",
             "|---" * (9 + len(TASKS)) + "|"]
    curves = {}
    for row in rows:
        objective, label, minutes, flops, eval_json, score_json = row.split(":")
        tasks = json.load(open(eval_json))["tasks"]
        missing = [t for t in TASKS if t not in tasks]
        if missing:
            sys.exit(f"make_table.py: {eval_json} has no {', '.join(missing)}")
        score = json.load(open(score_json))
        avg = sum(tasks[t]["mean"] for t in TASKS) / len(TASKS)
        cells = " | ".join(f"{tasks[t]['mean']:.2f} ± {tasks[t]['std']:.2f}" for t in TASKS)
        lines.append(f"| {objective} | {label} | {minutes} | {flops} | {held_out_cells(score)} | {cells} | {avg:.2f} |")
        curves.setdefault(objective, []).append((float(minutes), avg, float(flops)))
    # The paper's Table 1 (GLUE dev over its eight tasks, not these five), for scale.
    for objective, label, score in (("electra", "paper: ELECTRA-Small, 1M steps (GPU)", 79.9),
                                    ("mlm", "paper: BERT-Small, 1.45M steps (GPU)", 75.1)):
        lines.append(f"| {objective} | {label} | - | 1.4e+18 | - | - | - | - | " + " | ".join("-" for _ in TASKS)
                     + f" | {score} (8 tasks) |")
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for objective, curve in curves.items():
        with open(os.path.join(out, f"{objective}.dat"), "w") as f:
            f.writelines(f"{m} {a:.4f} {fl:.3e}\n" for m, a, fl in sorted(curve, key=lambda c: c[2]))
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
