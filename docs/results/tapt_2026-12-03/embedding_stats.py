#!/usr/bin/python3
"""Word- and position-embedding statistics of discriminator checkpoints (numpy only).

    embedding_stats.py NAME=CHECKPOINT_DIR ...
Prints, per checkpoint: the median (10th, 90th percentile) L2 norm of the word embeddings, the
median norm of the first 128 position embeddings, the token-type norms, and the mean cosine
between 2000 random word vectors (seed 0)."""
import json, struct, sys
import numpy as np


def load(path):
    blob = open(path, "rb").read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    out = {}
    for key, v in header.items():
        if key == "__metadata__":
            continue
        assert v["dtype"] == "F32", (key, v["dtype"])
        start, end = v["data_offsets"]
        out[key] = np.frombuffer(blob[8 + n + start:8 + n + end], dtype=np.float32).reshape(v["shape"])
    return out


for arg in sys.argv[1:]:
    name, ckpt = arg.split("=", 1)
    w = load(ckpt + "/discriminator/model.safetensors")
    we = w["electra.embeddings.word_embeddings.weight"]
    pe = w["electra.embeddings.position_embeddings.weight"][:128]
    te = w["electra.embeddings.token_type_embeddings.weight"]
    wn, pn = np.linalg.norm(we, axis=1), np.linalg.norm(pe, axis=1)
    idx = np.random.RandomState(0).choice(len(we), 2000)
    v = we[idx] / np.linalg.norm(we[idx], axis=1, keepdims=True)
    cos = (v @ v.T)[np.triu_indices(2000, 1)].mean()
    print(f"{name}: word norm median {np.median(wn):.3f} (p10 {np.percentile(wn, 10):.3f}, p90 {np.percentile(wn, 90):.3f}) | "
          f"position norm median {np.median(pn):.3f} | token-type norms {[round(float(x), 3) for x in np.linalg.norm(te, axis=1)]} | "
          f"mean cosine of random word pairs {cos:.3f}")
