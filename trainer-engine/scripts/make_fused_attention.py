"""Writes the engine's fused attention program (TorchScript) from the source below.

DJL 0.36's PyTorch engine binds no scaled_dot_product_attention, but it runs TorchScript modules, and a module's
forward is recorded by autograd like any other op. This module holds no weights: it is one call of libtorch's
own fused attention (on the CPU the flash-attention kernel: no T x S scores kept for the backward), with an
additive mask.

    /work/venv-dora/bin/python trainer-engine/scripts/make_fused_attention.py

writes trainer-engine/src/main/resources/dev/finetune/engine/model/fused_attention.pt (about 2 KB, its source in
plain text under code/ inside the zip). Written with torch 2.13; libtorch 2.7 (DJL 0.36) loads it:
FusedAttentionTest checks it against the textbook attention.
"""
import os

import torch
import torch.nn.functional as F


class FusedAttention(torch.nn.Module):
    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # q [B, H, T, D], k and v [B, KV, S, D], mask [B, 1, T, S] added to the scores; returns [B, H, T, D].
        # Each KV head is repeated for its query heads here rather than with enable_gqa=True: libtorch 2.7's CPU
        # flash kernel takes equal head counts only and would fall back to the unfused math path (measured in
        # docs/BENCHMARKS.md); the copies are [B, H, S, D], small against the T x S scores the kernel avoids.
        rep = q.size(1) // k.size(1)
        if rep > 1:
            b, kv, s, d = k.shape
            k = k[:, :, None, :, :].expand(b, kv, rep, s, d).reshape(b, kv * rep, s, d)
            v = v[:, :, None, :, :].expand(b, kv, rep, s, d).reshape(b, kv * rep, s, d)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "src", "main", "resources", "dev", "finetune", "engine", "model",
                       "fused_attention.pt")
    torch.jit.script(FusedAttention()).save(os.path.normpath(out))
    print("wrote", os.path.normpath(out))
