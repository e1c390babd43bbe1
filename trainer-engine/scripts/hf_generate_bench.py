#!/usr/bin/env python3
"""Hugging Face generate on the serving benchmark's checkpoint, for ServingBench's comparison rows.

Decode tokens/s of one greedy request (prompt ids given, EOS ignored as the Java side never meets it) and the time to
its first token (the prefill) for the base, the LoRA merged into it, and the LoRA unmerged through PEFT, in
interleaved rounds; prints one JSON line per case with the median tokens/s and first-token milliseconds. Usage (ServingBench runs it when -Dserve.python points to a Python with torch,
transformers and peft):

    python hf_generate_bench.py --model DIR --adapter DIR --prompt 1,57,... --tokens 48 --rounds 5 --threads 2
"""
import argparse
import json
import statistics
import time

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM


def decode_rate(model, prompt, tokens):
    ids = torch.tensor([prompt])
    with torch.inference_mode():
        start = time.perf_counter()
        first = {}

        class FirstToken:
            def put(self, value):
                if "t" not in first and value.dim() > 0 and value.shape[-1] == 1:
                    first["t"] = time.perf_counter()

            def end(self):
                pass

        model.generate(ids, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False, streamer=FirstToken(),
                       pad_token_id=0)
        end = time.perf_counter()
    return (tokens - 1) / (end - first.get("t", start)), (first.get("t", end) - start) * 1000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--adapter", required=True)
    p.add_argument("--prompt", required=True)
    p.add_argument("--tokens", type=int, default=48)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    prompt = [int(x) for x in a.prompt.split(",")]
    base = AutoModelForCausalLM.from_pretrained(a.model, torch_dtype=torch.float32).eval()
    unmerged = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(a.model, torch_dtype=torch.float32),
                                         a.adapter).eval()
    merged = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(a.model, torch_dtype=torch.float32),
                                       a.adapter).merge_and_unload().eval()
    cases = {"HF generate: base": base, "HF generate: merged LoRA": merged, "HF generate: unmerged LoRA (PEFT)": unmerged}
    rates = {name: [] for name in cases}
    firsts = {name: [] for name in cases}
    for round_ in range(a.rounds + 1):
        for name, model in cases.items():
            rate, first_ms = decode_rate(model, prompt, a.tokens)
            if round_ > 0:
                rates[name].append(rate)
                firsts[name].append(first_ms)
    for name, values in rates.items():
        print(json.dumps({"case": name, "tokens_per_second": statistics.median(values),
                          "first_token_ms": statistics.median(firsts[name])}))


if __name__ == "__main__":
    main()
