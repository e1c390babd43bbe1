#!/usr/bin/env python3
"""DoRA fixtures for the engine's tests, made and checked with Hugging Face PEFT itself.

Two modes, both on samples/models/tinystories-656k in float32 on the CPU:

  make   writes a DoRA adapter with PEFT (use_dora=True) into --out, plus peft_reference.json
         with the greedy continuation of a fixed prompt (token ids and text) and logits, so the
         Java engine can be checked against PEFT's own forward pass.
  check  loads an adapter directory written by the Java engine with PeftModel.from_pretrained,
         unchanged, fails on any missing or unexpected tensor, and writes peft_reference.json
         for it (the same fields), so the Java test can compare its outputs to PEFT's.

The build never runs this script; the committed outputs are the fixtures. Made with
torch 2.13.0+cpu, transformers 5.18.0, peft 0.21.0, safetensors 0.8.0 (Python 3.11):

  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers peft safetensors
  /tmp/venv/bin/python samples/adapters/make_dora_fixture.py make --out samples/adapters/tinystories-656k-dora-peft
  /tmp/venv/bin/python samples/adapters/make_dora_fixture.py check --adapter samples/adapters/tinystories-656k-dora-java
"""
import argparse
import json
import pathlib

import peft
import safetensors
import safetensors.torch
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parent.parent
BASE = ROOT / "models" / "tinystories-656k"
PROMPT = "Once upon a time"
NEW_TOKENS = 24
SEED = 1234


def load_base():
    model = AutoModelForCausalLM.from_pretrained(BASE, dtype=torch.float32)
    model.eval()
    # the checkpoint stores the tied embedding only as lm_head.weight: make sure it was read, by the
    # independent numpy reference of the base model's last-position logits
    reference = json.loads((BASE / "REFERENCE_numpy.json").read_text())
    ids = torch.tensor([reference["prompt_ids"]])
    with torch.no_grad():
        logits = model(ids).logits[0, -1]
    expected = torch.tensor(reference["last_position_logits_full"], dtype=torch.float32)
    diff = (logits - expected).abs().max().item()
    assert diff < 1e-3, f"base model does not match REFERENCE_numpy.json (max diff {diff})"
    return model


def make_adapter(out: pathlib.Path):
    torch.manual_seed(SEED)
    model = load_base()
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.05, use_dora=True, task_type="CAUSAL_LM",
                        target_modules=["q_proj", "v_proj", "down_proj"])
    model = get_peft_model(model, config)
    # PEFT starts B at zero (the adapter is the identity): give A, B and the magnitude seeded values
    # that move the model, with a magnitude that differs from ||W + s B A|| so that DoRA's rescaling
    # is exercised, not only its LoRA part
    generator = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_A" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.1)
            elif "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.1)
            elif "lora_magnitude_vector" in name:
                param.mul_(1 + 0.2 * torch.randn(param.shape, generator=generator))
    model.eval()
    # a path of the machine that made it would mean nothing elsewhere
    model.peft_config["default"].base_model_name_or_path = "tinystories-656k"
    model.save_pretrained(out)
    (out / "README.md").unlink(missing_ok=True)  # PEFT's empty model card template
    return model


def reference(model, tokenizer, what: str):
    ids = tokenizer(PROMPT, return_tensors="pt").input_ids
    with torch.no_grad():
        prompt_logits = model(ids).logits[0, -1]
        generated = ids
        margins = []
        for _ in range(NEW_TOKENS):
            step = model(generated).logits[0, -1]
            top2 = torch.topk(step, 2).values
            margins.append((top2[0] - top2[1]).item())
            generated = torch.cat([generated, step.argmax().view(1, 1)], dim=1)
    new_ids = generated[0, ids.shape[1]:].tolist()
    top = torch.topk(prompt_logits, 10)
    return {
        "what": what,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "peft": peft.__version__, "safetensors": safetensors.__version__},
        "prompt": PROMPT,
        "prompt_ids": ids[0].tolist(),
        "greedy_new_tokens": NEW_TOKENS,
        "greedy_ids": new_ids,
        "greedy_text": tokenizer.decode(generated[0], skip_special_tokens=True),
        "min_top1_top2_margin_along_greedy_path": min(margins),
        "last_position_top10": [[i, v] for i, v in zip(top.indices.tolist(), top.values.tolist())],
        "last_position_logits_first64": prompt_logits[:64].tolist(),
    }


def merged_agrees(model, tokenizer):
    """PEFT's own merge must give the unmerged logits: a sanity check of the fixture."""
    ids = tokenizer(PROMPT, return_tensors="pt").input_ids
    with torch.no_grad():
        unmerged = model(ids).logits[0, -1]
        merged = model.merge_and_unload()(ids).logits[0, -1]
    return (merged - unmerged).abs().max().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    make = sub.add_parser("make")
    make.add_argument("--out", type=pathlib.Path, required=True)
    check = sub.add_parser("check")
    check.add_argument("--adapter", type=pathlib.Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    tokenizer = AutoTokenizer.from_pretrained(BASE)

    if args.mode == "make":
        model = make_adapter(args.out)
        result = reference(model, tokenizer, "a DoRA adapter made by PEFT (seeded A, B, magnitude), PEFT's forward")
        target = args.out
    else:
        base = load_base()
        model = PeftModel.from_pretrained(base, args.adapter)
        model.eval()
        # PEFT only warns about keys it could not place; a Java-written file must fit exactly
        names = safetensors.safe_open(args.adapter / "adapter_model.safetensors", "pt").keys()
        state = peft.get_peft_model_state_dict(model)
        assert sorted(names) == sorted(state), f"keys differ: file {sorted(names)} vs PEFT {sorted(state)}"
        loaded = safetensors.torch.load_file(args.adapter / "adapter_model.safetensors")
        for key, value in loaded.items():
            assert torch.equal(state[key], value), f"{key} was not loaded as written"
        assert model.peft_config["default"].use_dora, "adapter_config.json did not turn DoRA on"
        result = reference(model, tokenizer, "a DoRA adapter written by the Java engine, loaded unchanged by PEFT")
        target = args.adapter
    result["peft_merge_and_unload_max_logit_diff"] = merged_agrees(model, tokenizer)
    (target / "peft_reference.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("greedy_text", "min_top1_top2_margin_along_greedy_path",
                                             "peft_merge_and_unload_max_logit_diff")}, indent=1))


if __name__ == "__main__":
    main()
