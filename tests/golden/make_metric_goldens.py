#!/usr/bin/env python3
"""Golden GLUE metrics for eval/metrics_golden_test.cc, from scikit-learn and SciPy.

The official ELECTRA scorers (finetune/classification/classification_metrics.py) use
sklearn.metrics.matthews_corrcoef for CoLA and scipy.stats.pearsonr / spearmanr for STS-B; GLUE's
F1 is sklearn.metrics.f1_score of the positive class "1". This script computes those figures on
the real dev predictions in tests/golden/metrics/*_dev_predictions.tsv (finetune's own files:
index, prediction, label) and writes tests/golden/metrics/goldens.json.

Run with Debian's packages (not needed by CI):
  apt-get install -y python3-sklearn python3-scipy
  /usr/bin/python3 tests/golden/make_metric_goldens.py
"""
import csv
import json
import os

import scipy.stats
import sklearn.metrics

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics")


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["index", "prediction", "label"], rows[0]
    return [r[1] for r in rows[1:]], [r[2] for r in rows[1:]]


def main():
    goldens = {}
    for name in sorted(os.listdir(HERE)):
        if not name.endswith("_dev_predictions.tsv"):
            continue
        task = name[: -len("_dev_predictions.tsv")]
        pred, gold = read(os.path.join(HERE, name))
        m = {}
        if task == "STS-B":
            p = [float(x) for x in pred]
            g = [float(x) for x in gold]
            m["pearson"] = 100 * scipy.stats.pearsonr(g, p)[0]
            m["spearman"] = 100 * scipy.stats.spearmanr(g, p)[0]
        else:
            m["accuracy"] = 100 * sklearn.metrics.accuracy_score(gold, pred)
            if task == "CoLA":
                m["mcc"] = 100 * sklearn.metrics.matthews_corrcoef(gold, pred)
            if task in ("MRPC", "QQP"):
                m["f1"] = 100 * sklearn.metrics.f1_score(gold, pred, pos_label="1")
        goldens[task] = {"file": name, "rows": len(pred), "metrics": m}
    with open(os.path.join(HERE, "goldens.json"), "w") as f:
        json.dump(goldens, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(goldens, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
