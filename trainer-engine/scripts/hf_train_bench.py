#!/usr/bin/env python3
"""Hugging Face PEFT LoRA training steps at the engine benchmark's shape, the peer of EngineBench's cases.

A randomly initialised LlamaForCausalLM (fp32, untied head, SDPA attention) with PEFT LoRA on the given
projections, trained on full-length rows of random tokens (labels = input ids, every token trained) with AdamW
and gradient clipping at 1.0, as the engine's TrainingRun does. One step = forward, backward, clip, optimizer step,
zero_grad. Prints one JSON line: the step times of the timed steps, the losses, and the RSS of the process
(idle after the imports and one small op, loaded after building the model, peak = VmHWM over the steps, reset
through /proc/self/clear_refs before them). EngineBench runs it when -Dbench.python names a Python with torch,
transformers and peft:

    python hf_train_bench.py --hidden 1024 --layers 8 --heads 16 --kv-heads 4 --intermediate 2816 --vocab 32000 \
        --seq 512 --batch 1 --rank 16 --alpha 32 --dropout 0.05 --warmup 1 --steps 3 --threads 2 [--checkpointing]
"""
import argparse
import json
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return -1


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main():
    p = argparse.ArgumentParser()
    for name, default in [("hidden", 1024), ("layers", 8), ("heads", 16), ("kv-heads", 4), ("intermediate", 2816),
                          ("vocab", 32000), ("seq", 512), ("batch", 1), ("rank", 16), ("alpha", 32), ("warmup", 1),
                          ("steps", 3), ("threads", 2), ("seed", 7)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--dropout", type=float, default=0.05)
    p.add_argument("--targets", default="all-linear")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--checkpointing", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    torch.ones(256, 256) @ torch.ones(256, 256)
    idle = status("VmRSS:")

    config = LlamaConfig(hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads,
                         num_key_value_heads=a.kv_heads, intermediate_size=a.intermediate, vocab_size=a.vocab,
                         max_position_embeddings=max(2048, a.seq), tie_word_embeddings=False, use_cache=False,
                         attn_implementation="sdpa")
    model = LlamaForCausalLM(config).to(torch.float32)
    targets = ALL_LINEAR if a.targets == "all-linear" else a.targets.split(",")
    model = get_peft_model(model, LoraConfig(r=a.rank, lora_alpha=a.alpha, lora_dropout=a.dropout,
                                             target_modules=targets, task_type="CAUSAL_LM"))
    if a.checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    trainable = [q for q in model.parameters() if q.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=a.lr, weight_decay=0.0)
    generator = torch.Generator().manual_seed(a.seed + 2)
    rows = [torch.randint(3, a.vocab, (a.batch, a.seq), generator=generator) for _ in range(a.warmup + a.steps)]
    for r in rows:
        r[:, 0] = 1
    loaded = status("VmRSS:")
    peak_method = "VmHWM" if reset_peak() else "VmHWM (not reset: includes loading)"

    step_ms, losses = [], []
    for i, ids in enumerate(rows):
        start = time.perf_counter()
        out = model(input_ids=ids, labels=ids)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        ms = (time.perf_counter() - start) * 1000
        losses.append(float(out.loss.detach()))
        if i >= a.warmup:
            step_ms.append(ms)
    print(json.dumps({
        "checkpointing": a.checkpointing,
        "step_ms": step_ms,
        "losses": losses,
        "rss_idle": idle,
        "rss_loaded": loaded,
        "rss_peak": status("VmHWM:"),
        "peak_method": peak_method,
        "trainable_params": sum(q.numel() for q in trainable),
        "threads": torch.get_num_threads(),
        "versions": "torch %s, transformers %s, peft %s" % (torch.__version__, __import__("transformers").__version__,
                                                            __import__("peft").__version__),
    }), flush=True)


if __name__ == "__main__":
    main()
