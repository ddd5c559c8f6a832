#!/usr/bin/env python3
"""Golden logistic regressions for glue/probe_test.cc, from scikit-learn.

The probe (glue/probe.h) fits scikit-learn's LogisticRegression defaults (L2, C, lbfgs,
multinomial for 3+ classes, unpenalized intercept). This script fits scikit-learn on two small
synthetic problems (2 and 3 classes, overlapping Gaussians, so the penalty matters) and writes
the data, coefficients, intercepts and predictions to tests/golden/probe_golden.json.

Run with Debian's packages (not needed by CI):  /usr/bin/python3 tests/golden/make_probe_golden.py
"""
import json
import os

import numpy as np
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(20261202)
cases = []
for classes, n, d, c in ((2, 120, 6, 1.0), (3, 150, 5, 0.3)):
    centers = rng.normal(0, 1.0, (classes, d))
    y = rng.integers(0, classes, n)
    x = centers[y] + rng.normal(0, 1.5, (n, d))
    m = LogisticRegression(C=c, tol=1e-10, max_iter=10000).fit(x, y)
    coef = m.coef_ if classes > 2 else np.stack([np.zeros(d), m.coef_[0]])  # binary: one row, class 1
    intercept = m.intercept_ if classes > 2 else np.array([0.0, m.intercept_[0]])
    cases.append({"classes": classes, "c": c, "x": x.tolist(), "y": y.tolist(),
                  "coef": coef.tolist(), "intercept": intercept.tolist(),
                  "predictions": m.predict(x).tolist()})
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe_golden.json")
with open(out, "w") as f:
    json.dump(cases, f)
print(out)
