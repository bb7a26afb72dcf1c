"""Writes the fixtures for ParityTests: a tiny random-weight BertForTokenClassification checkpoint, its vocab.txt,
and the input ids and P(keep) that transformers computes for a few texts.

Run where torch, transformers and safetensors are installed (the GPU machine; see shared/gpu/README.md), CPU is enough:

    python tests/ContextPress.Classifier.Tests/parity/make_bert_fixtures.py [OUT_DIR]

OUT_DIR defaults to tests/ContextPress.Classifier.Tests/Fixtures/bert-tiny. Commit the directory (well under 1 MB);
ParityTests skips while it is absent. Record the versions printed at the end in the commit message.
"""
import json
import os
import sys

import torch
import transformers
from transformers import AutoTokenizer, BertConfig, BertForTokenClassification, BertTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "Fixtures", "bert-tiny")
os.makedirs(OUT, exist_ok=True)

# The vocabulary: specials, single characters and their continuations, a few whole words and symbols.
chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
vocab += list(chars) + ["##" + c for c in chars]
vocab += list(".,;:!?$%+-=()'\"/") + ["中", "文", "the", "cat", "sat", "on", "mat", "Paris", "is", "capital", "of", "France", "12", "50", "##ing"]
with open(os.path.join(OUT, "vocab.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(vocab) + "\n")

config = BertConfig(
    vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
    hidden_act="gelu", max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0,
    num_labels=2, architectures=["BertForTokenClassification"],
)
torch.manual_seed(42)
model = BertForTokenClassification(config).eval()
with torch.no_grad():
    for name, p in sorted(model.named_parameters()):
        noise = torch.randn(p.shape)
        p.copy_(1 + 0.1 * noise if name.endswith("LayerNorm.weight") else 0.2 * noise)
model.save_pretrained(OUT, safe_serialization=True)

try:
    tokenizer = BertTokenizer.from_pretrained(OUT, do_lower_case=False, tokenize_chinese_chars=True)
except Exception as e:  # a release that takes the vocabulary itself, as transformers 5's XLMRobertaTokenizer does
    print("from_pretrained failed:", e)
    tokenizer = BertTokenizer(vocab={t: i for i, t in enumerate(vocab)}, do_lower_case=False, tokenize_chinese_chars=True)
# tokenizer_config.json records do_lower_case=False: AutoTokenizer (what microsoft/LLMLingua loads in
# make_llmlingua_fixtures.py) would otherwise lower-case, BertTokenizer's default. The ids below come from that load.
tokenizer.save_pretrained(OUT)
tokenizer = AutoTokenizer.from_pretrained(OUT)
assert tokenizer.tokenize("Paris 中文") == ["Paris", "中", "文"], tokenizer.tokenize("Paris 中文")
print("tokenizer", type(tokenizer).__name__, len(tokenizer))
texts = [
    "the cat sat on the mat.",
    "Paris is the capital of France, costing $12.50!",
    "UM3OG5 costs 50 (a+b=c) 中文 text\twith\ttabs\nand lines",
    "hi 😀 caps CAPITAL Capitalising",
    " ".join(["the cat sat on Paris."] * 60),  # > 300 pieces
]
cases = []
with torch.no_grad():
    for text in texts:
        enc = tokenizer(text, return_tensors="pt", truncation=True, max_length=512)
        logits = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
        keep = torch.softmax(logits, dim=-1)[0, :, 1]
        cases.append({"text": text, "input_ids": enc["input_ids"][0].tolist(), "keep_probs": keep.tolist()})
    # One padded batch: the short row's probabilities must not change under padding.
    enc = tokenizer(texts[:2], return_tensors="pt", padding=True)
    batch_keep = torch.softmax(model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits, dim=-1)[..., 1]

with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
    json.dump({
        "torch": torch.__version__, "transformers": transformers.__version__,
        "cases": cases,
        "batch": {
            "input_ids": enc["input_ids"].tolist(),
            "attention_mask": enc["attention_mask"].tolist(),
            "keep_probs": batch_keep.tolist(),
        },
    }, f, ensure_ascii=False, indent=1)
print("wrote", OUT, "torch", torch.__version__, "transformers", transformers.__version__)
