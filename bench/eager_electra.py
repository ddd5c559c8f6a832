#!/usr/bin/python3
"""An independent eager PyTorch ELECTRA pretraining step, for scripts/bench_cpu_step.sh.

Written in this project from the formulas (as tests/golden/make_step_golden.py), not from the C++:
shared word / position / token-type embeddings and their LayerNorm, an embeddings_project per tower
when E != H, post-LayerNorm transformer layers with exact-erf GELU and dropout 0.1, the generator
head (dense, GELU, LayerNorm, the tied word embeddings plus a bias) on the masked positions only,
Gumbel-max sampling in fp32, the discriminator head (dense, GELU, dense to 1), loss = MLM + 50 BCE,
global-norm clipping at 1.0 and AdamW without bias correction (decay 0.01 except LayerNorm and
biases). Each step masks a fresh synthetic batch (19 of 128 positions, 85% [MASK]) so the step does
the work the real one does. Sizes are the project's presets (tiny, mini, small).

Precision: fp32, or bf16 CPU autocast (torch.autocast("cpu", torch.bfloat16)), with LayerNorm and
softmax inputs cast to fp32 as CUDA's autocast does and as the C++ model does.

Data parallel: run under torch.distributed's environment (RANK, WORLD_SIZE, MASTER_ADDR,
MASTER_PORT, as scripts/launch.sh sets them) and each process takes its share of the global batch
and all-reduces gradients through Gloo.

Prints one JSON line: ms per step (median of the timed steps), tokens/s, peak RSS in MiB.
Run with Debian's python3-torch:  /usr/bin/python3 bench/eager_electra.py --size=mini --steps=20
"""
import argparse
import json
import math
import os
import resource
import sys
import time

# OpenBLAS (Debian's torch BLAS) keeps a thread pool of its own that torch.set_num_threads does
# not size; its idle workers spin beside torch's. Size it before torch loads it.
for _arg in sys.argv:
    if _arg.startswith("--threads="):
        os.environ["OPENBLAS_NUM_THREADS"] = _arg.split("=", 1)[1]
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

SIZES = {  # layers, embedding, hidden, heads, ffn (discriminator); the generator is 1/4 wide
    "tiny": (2, 64, 64, 2, 256),
    "mini": (4, 128, 128, 2, 512),
    "small": (12, 128, 256, 4, 1024),
}
T, P, MASK_ID, CLS_ID, SEP_ID = 128, 19, 4, 2, 3


class Layer(nn.Module):
    def __init__(self, h, heads, ffn):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
        self.up, self.down = nn.Linear(h, ffn), nn.Linear(ffn, h)

    def forward(self, x, keep):
        b, t, h = x.shape
        d = h // self.heads

        def split(y):
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(d)
        scores = scores.masked_fill(~keep, float("-inf"))
        probs = F.dropout(torch.softmax(scores.float(), -1), 0.1, self.training)
        ctx = (probs @ v).transpose(1, 2).reshape(b, t, h)
        a = self.ln1((F.dropout(self.o(ctx), 0.1, self.training) + x).float())
        f = F.gelu(self.up(a))
        return self.ln2((F.dropout(self.down(f), 0.1, self.training) + a).float())


class Tower(nn.Module):
    def __init__(self, emb, e, h, layers, heads, ffn):
        super().__init__()
        self.emb = emb
        self.project = nn.Linear(e, h) if e != h else None
        self.layers = nn.ModuleList(Layer(h, heads, ffn) for _ in range(layers))

    def forward(self, ids, mask, types):
        x = self.emb(ids, types)
        if self.project is not None:
            x = self.project(x)
        keep = mask.bool()[:, None, None, :]
        for layer in self.layers:
            x = layer(x, keep)
        return x


class Embeddings(nn.Module):
    def __init__(self, vocab, e):
        super().__init__()
        self.word, self.pos, self.segment = nn.Embedding(vocab, e), nn.Embedding(512, e), nn.Embedding(2, e)
        self.ln = nn.LayerNorm(e, eps=1e-12)

    def forward(self, ids, types):
        t = ids.shape[1]
        x = self.word(ids) + self.pos(torch.arange(t))[None] + self.segment(types)
        return F.dropout(self.ln(x.float()), 0.1, self.training)


class Electra(nn.Module):
    def __init__(self, size, vocab):
        super().__init__()
        layers, e, h, heads, ffn = SIZES[size]
        hg = h // 4
        self.emb = Embeddings(vocab, e)
        self.disc = Tower(self.emb, e, h, layers, heads, ffn)
        self.gen = Tower(self.emb, e, hg, layers, max(1, hg // 64), 4 * hg)
        self.gen_dense, self.gen_ln = nn.Linear(hg, e), nn.LayerNorm(e, eps=1e-12)
        self.gen_bias = nn.Parameter(torch.zeros(vocab))
        self.disc_dense, self.disc_out = nn.Linear(h, h), nn.Linear(h, 1)
        for name, p in self.named_parameters():
            if p.dim() > 1:
                nn.init.normal_(p, 0, 0.02)

    def step_loss(self, ids, masked_ids, positions, mask, types, autocast):
        b = ids.shape[0]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            hidden = self.gen(masked_ids, mask, types)
            picked = hidden.gather(1, positions[..., None].expand(b, P, hidden.shape[2]))
            g = self.gen_ln(F.gelu(self.gen_dense(picked)).float())
            logits = F.linear(g, self.emb.word.weight, self.gen_bias).float()  # (B, P, V)
        labels = ids.gather(1, positions)
        gen_loss = F.cross_entropy(logits.view(b * P, -1), labels.view(-1))
        with torch.no_grad():
            u = torch.rand(logits.shape)
            sampled = (logits + -torch.log(-torch.log(u + 1e-9) + 1e-9)).argmax(-1)
            fake = ids.scatter(1, positions, sampled)
            replaced = (fake != ids).float()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            d = self.disc(fake, mask, types)
            disc_logits = self.disc_out(F.gelu(self.disc_dense(d))).squeeze(-1).float()
        bce = F.binary_cross_entropy_with_logits(disc_logits, replaced, reduction="none")
        disc_loss = (bce * mask).sum() / mask.sum()
        return gen_loss + 50 * disc_loss


class AdamNoBiasCorrection:
    def __init__(self, model, lr=5e-4, decay=0.01):
        self.params = [(n, p) for n, p in model.named_parameters()]
        self.lr, self.decay = lr, decay
        self.m = [torch.zeros_like(p) for _, p in self.params]
        self.v = [torch.zeros_like(p) for _, p in self.params]

    @torch.no_grad()
    def step(self):
        grads = [p.grad for _, p in self.params]
        norm = torch.sqrt(sum((g * g).sum() for g in grads))
        scale = 1.0 / max(1.0, norm.item())
        for (name, p), g, m, v in zip(self.params, grads, self.m, self.v):
            g = g * scale
            m.mul_(0.9).add_(g, alpha=0.1)
            v.mul_(0.999).addcmul_(g, g, value=0.001)
            update = m / (v.sqrt() + 1e-6)
            if not ("ln" in name or name.endswith("bias")):
                update = update + self.decay * p
            p.sub_(self.lr * update)


def synthetic_batch(n, vocab, gen):
    ids = torch.randint(5, vocab, (n, T), generator=gen)
    ids[:, 0], ids[:, -1] = CLS_ID, SEP_ID
    positions = torch.stack([torch.randperm(T - 2, generator=gen)[:P] + 1 for _ in range(n)])
    masked = ids.clone()
    keep_original = torch.rand(n, P, generator=gen) < 0.15
    masked.scatter_(1, positions, torch.where(keep_original, ids.gather(1, positions), torch.full_like(positions, MASK_ID)))
    return ids, masked, positions, torch.ones(n, T, dtype=torch.long), torch.zeros(n, T, dtype=torch.long)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="mini", choices=sorted(SIZES))
    ap.add_argument("--batch_size", type=int, default=32)  # global
    ap.add_argument("--vocab_size", type=int, default=8000)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        import torch.distributed as dist
        dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(0)  # same weights on every rank
    model = Electra(a.size, a.vocab_size)
    model.train()
    opt = AdamNoBiasCorrection(model)
    gen = torch.Generator().manual_seed(1 + rank)
    local = a.batch_size // world
    times = []
    for step in range(a.warmup + a.steps):
        start = time.perf_counter()
        batch = synthetic_batch(local, a.vocab_size, gen)
        for p in model.parameters():
            p.grad = None
        loss = model.step_loss(*batch, autocast=a.precision == "bf16") * (local * world / a.batch_size)
        loss.backward()
        if world > 1:
            flat = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
            dist.all_reduce(flat)
            flat /= world
            offset = 0
            for p in model.parameters():
                n = p.numel()
                p.grad.copy_(flat[offset:offset + n].view_as(p))
                offset += n
        opt.step()
        if step >= a.warmup:
            times.append(time.perf_counter() - start)
    times.sort()
    ms = 1000 * times[len(times) // 2]
    if rank == 0:
        print(json.dumps({"impl": "pytorch_eager", "size": a.size, "precision": a.precision, "processes": world,
                          "threads": a.threads, "batch_size": a.batch_size, "ms_per_step": ms,
                          "tokens_per_s": a.batch_size * T / (ms / 1000),
                          "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          "loss": loss.item()}))


if __name__ == "__main__":
    main()
