#!/usr/bin/env python3
"""The reference ELECTRA-Small pretraining step written with HF transformers, for the throughput
comparison in scripts/gpu_check.sh: ElectraForMaskedLM (generator, 1/4 width) and
ElectraForPreTraining (discriminator) with tied embeddings, the same masking shapes (19 positions
of 128, 85% [MASK]), generator MLM loss, Gumbel-max sampling in fp32, discriminator loss over real
tokens, loss = gen + 50 disc, AdamW (torch's fused; eps 1e-6, decay 0.01), clipping at 1.0, bf16
autocast. The generator computes logits at every position, as ElectraForMaskedLM does.
Prints one JSON line: ms/step (median), tokens/s, peak memory, MFU.
  python3 bench/hf_reference.py --mode=eager|compile [--batch=128] [--seq=128] [--steps=50]"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F
from transformers import ElectraConfig, ElectraForMaskedLM, ElectraForPreTraining


def configs(vocab=30522):
    disc = ElectraConfig(vocab_size=vocab, embedding_size=128, hidden_size=256, num_hidden_layers=12,
                         num_attention_heads=4, intermediate_size=1024, max_position_embeddings=512)
    gen = ElectraConfig(vocab_size=vocab, embedding_size=128, hidden_size=64, num_hidden_layers=12,
                        num_attention_heads=1, intermediate_size=256, max_position_embeddings=512)
    return disc, gen


def step_flops(B, T, P, V=30522):
    def tower(H, F_, E, L):
        return L * (2 * T * (4 * H * H + 2 * H * F_) + 4 * T * T * H) + (2 * T * E * H if E != H else 0)
    disc = tower(256, 1024, 128, 12) + 2 * T * 256 * 256 + 2 * T * 256
    gen = tower(64, 256, 128, 12) + 2 * P * (64 * 128 + 128 * V)  # the useful work: masked positions
    return 3 * B * (disc + gen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["eager", "compile"], default="eager")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--peak_tflops", type=float, default=989.0)
    a = ap.parse_args()
    torch.manual_seed(0)
    dev = torch.device("cuda")
    dc, gc = configs()
    disc = ElectraForPreTraining(dc).to(dev)
    gen = ElectraForMaskedLM(gc).to(dev)
    gen.electra.embeddings = disc.electra.embeddings  # ELECTRA shares the embeddings
    gen.generator_lm_head.weight = disc.electra.embeddings.word_embeddings.weight
    params = list({id(p): p for p in list(disc.parameters()) + list(gen.parameters())}.values())
    opt = torch.optim.AdamW(params, lr=5e-4, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01, fused=True)
    B, T, V = a.batch, a.seq, dc.vocab_size
    P = int((0.15 + 0.005) * T)

    def make_batch():
        ids = torch.randint(1000, 30000, (B, T), device=dev)
        ids[:, 0], ids[:, -1] = 101, 102
        scores = torch.rand(B, T - 2, device=dev)
        pos = scores.topk(P, dim=1).indices + 1  # P distinct positions, never [CLS]/[SEP]
        masked = ids.clone()
        replace = torch.rand(B, P, device=dev) < 0.85
        masked.scatter_(1, pos, torch.where(replace, torch.full_like(pos, 103), ids.gather(1, pos)))
        labels = torch.full_like(ids, -100)
        labels.scatter_(1, pos, ids.gather(1, pos))
        return ids, masked, pos, labels

    mask = torch.ones(B, T, dtype=torch.long, device=dev)
    types = torch.zeros(B, T, dtype=torch.long, device=dev)
    g_model, d_model = (torch.compile(gen), torch.compile(disc)) if a.mode == "compile" else (gen, disc)

    def step(ids, masked, pos, labels):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = g_model(input_ids=masked, attention_mask=mask, token_type_ids=types).logits  # (B, T, V)
            gen_loss = F.cross_entropy(logits.float().view(-1, V), labels.view(-1), ignore_index=-100)
            with torch.no_grad():
                ml = logits.gather(1, pos.unsqueeze(-1).expand(B, P, V)).float()
                u = torch.rand_like(ml)
                sampled = (ml - torch.log(-torch.log(u + 1e-9) + 1e-9)).argmax(-1)
                fake = ids.scatter(1, pos, sampled)
                disc_labels = (fake != ids).float()
            d_logits = d_model(input_ids=fake, attention_mask=mask, token_type_ids=types).logits
            disc_loss = F.binary_cross_entropy_with_logits(d_logits.float(), disc_labels)
            loss = gen_loss + 50 * disc_loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    batches = [make_batch() for _ in range(4)]
    torch.cuda.reset_peak_memory_stats()
    for i in range(a.warmup):
        step(*batches[i % 4])
    torch.cuda.synchronize()
    times = []
    for i in range(a.steps):
        start = time.perf_counter()
        loss = step(*batches[i % 4])
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    assert torch.isfinite(loss).item()
    ms = statistics.median(times)
    flops = step_flops(B, T, P) / (ms / 1e3)
    print(json.dumps({"impl": "hf_transformers", "mode": a.mode, "batch": B, "seq": T, "precision": "bf16",
                      "ms_per_step": round(ms, 3), "tokens_per_s": round(B * T / (ms / 1e3)),
                      "peak_mem_gib": round(torch.cuda.max_memory_allocated() / 2**30, 3),
                      "tflops": round(flops / 1e12, 2), "mfu": round(flops / (a.peak_tflops * 1e12), 4)}))


if __name__ == "__main__":
    main()
