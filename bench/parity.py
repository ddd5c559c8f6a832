#!/usr/bin/env python3
"""Parity with HF transformers, both directions, in float32:
  1. HF ElectraForPreTraining and ElectraForMaskedLM (small config, random weights) saved with
     save_pretrained(safetensors) and loaded by our run_model give HF's logits;
  2. our checkpoint (a pretrain run's discriminator/ and generator/) loaded by HF from_pretrained
     gives our logits.
Prints one JSON line per check with the max abs difference (required: < 1e-4).
  python3 bench/parity.py --run_model=bazel-bin/model/run_model --work=DIR [--ours=CHECKPOINT_DIR]"""
import argparse
import json
import os
import subprocess

import torch
from safetensors.torch import load_file, save_file
from transformers import ElectraConfig, ElectraForMaskedLM, ElectraForPreTraining


def inputs(B=4, T=64, vocab=30522):
    g = torch.Generator().manual_seed(11)
    ids = torch.randint(1000, vocab, (B, T), generator=g)
    ids[:, 0] = 101
    mask = torch.ones(B, T, dtype=torch.long)
    mask[1, 40:] = 0  # padding in one row
    mask[3, 10:] = 0
    ids[mask == 0] = 0
    types = torch.zeros(B, T, dtype=torch.long)
    types[:, T // 2:] = 1
    return ids, mask, types


def ours(run_model, model_dir, kind, ins, work, device):
    path_in, path_out = os.path.join(work, "in.safetensors"), os.path.join(work, f"out_{kind}.safetensors")
    save_file({"input_ids": ins[0], "attention_mask": ins[1], "token_type_ids": ins[2]}, path_in)
    subprocess.run([run_model, f"--model={model_dir}", f"--kind={kind}", f"--input={path_in}", f"--output={path_out}",
                    f"--device={device}"], check=True)
    return load_file(path_out)["logits"]


def hf(model, ins, device):
    model = model.to(device).eval()
    with torch.no_grad():
        out = model(input_ids=ins[0].to(device), attention_mask=ins[1].to(device), token_type_ids=ins[2].to(device))
    return out.logits.float().cpu()


def compare(name, a, b, mask):
    if a.dim() == 3:
        mask = mask.unsqueeze(-1).expand_as(a)
    diff = (a - b).abs()[mask.bool()].max().item()  # padded positions are unconstrained
    result = {"check": name, "max_abs_diff": diff, "ok": diff < 1e-4}
    print(json.dumps(result), flush=True)
    return result["ok"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run_model", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--ours", default="")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    ok = True
    ins = inputs()
    torch.manual_seed(5)
    dc = ElectraConfig(vocab_size=30522, embedding_size=128, hidden_size=256, num_hidden_layers=12,
                       num_attention_heads=4, intermediate_size=1024, architectures=["ElectraForPreTraining"])
    gc = ElectraConfig(vocab_size=30522, embedding_size=128, hidden_size=64, num_hidden_layers=12,
                       num_attention_heads=1, intermediate_size=256, architectures=["ElectraForMaskedLM"])
    for kind, model in (("discriminator", ElectraForPreTraining(dc)), ("generator", ElectraForMaskedLM(gc))):
        d = os.path.join(a.work, "hf_" + kind)
        model.save_pretrained(d, safe_serialization=True)
        ok &= compare(f"hf_{kind}_loaded_by_ours", ours(a.run_model, d, kind, ins, a.work, a.device), hf(model, ins, a.device),
                      ins[1])
    if a.ours:
        for kind, cls in (("discriminator", ElectraForPreTraining), ("generator", ElectraForMaskedLM)):
            d = os.path.join(a.ours, kind)
            model = cls.from_pretrained(d)
            vocab = model.config.vocab_size
            small = inputs(vocab=vocab)
            ok &= compare(f"ours_{kind}_loaded_by_hf", hf(model, small, a.device), ours(a.run_model, d, kind, small, a.work, a.device),
                          small[1])
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
