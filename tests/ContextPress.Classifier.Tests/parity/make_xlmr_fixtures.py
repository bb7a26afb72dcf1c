"""Writes the XLM-R fixtures for ParityTests: a tiny random-weight XLMRobertaForTokenClassification checkpoint, a real
SentencePiece Unigram tokenizer trained offline on a small text, and the input ids and P(keep) that transformers computes
for a few texts (one of them also in a padded batch).

Run where torch, transformers, safetensors and sentencepiece are installed (the GPU machine; see shared/gpu/README.md),
CPU is enough:

    python tests/ContextPress.Classifier.Tests/parity/make_xlmr_fixtures.py [OUT_DIR]

OUT_DIR defaults to tests/ContextPress.Classifier.Tests/Fixtures/xlmr-tiny. Commit the directory (well under 1 MB);
ParityTests skips while it is absent. Record the versions printed at the end in the commit message.

The tokenizer that transformers uses is the one whose ids are written, and the directory is left holding exactly its
files: when transformers loads the trained `sentencepiece.bpe.model` itself, that file stays (our SentencePieceVocabulary
reads it first); when it cannot (transformers 5 builds XLMRobertaTokenizer from a `vocab=[(piece, score)]` list, as in
shared/gpu/llmlingua2-reference), the `.model` is removed so that ours reads the saved `tokenizer.json`, as transformers
does. `tokenizer_route` in expected.json says which.
"""
import json
import os
import sys

import sentencepiece as spm
import torch
import transformers
from transformers import AutoTokenizer, XLMRobertaConfig, XLMRobertaForTokenClassification, XLMRobertaTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "Fixtures", "xlmr-tiny")
os.makedirs(OUT, exist_ok=True)
MODEL_FILE = os.path.join(OUT, "sentencepiece.bpe.model")

texts = [
    "the cat sat on the mat.",
    "Paris is the capital of France, costing $12.50!",
    "UM3OG5 costs 50 (a+b=c) 中文 text\twith\ttabs\nand lines",
    "Question: what did the committee decide? The answer is 42.",
    "Full-width ８月２０日 and ﬁ ligature",  # NFKC in the normalizer
    " ".join(["the cat sat on Paris."] * 60),  # > 300 pieces
]

# A small training text: the fixture texts plus varied English, so that the Unigram model has whole words, pieces and
# single characters (character_coverage=1 keeps every character seen, so nothing above is <unk>).
corpus = [
    "The council met on Tuesday to discuss the budget for the new library and the repairs to the bridge.",
    "Members asked whether the project could be finished before winter, and the engineer said it could.",
    "Numbers such as 2024, 3.14 and 1,000 appear in reports; so do symbols like %, $, +, = and #.",
    "We will vote on the proposal next week. Does anyone object? No objections were raised.",
    "Cats, dogs and birds live in the city park, where children play every afternoon.",
    "Capitalising words, CAPITAL letters and lower case letters are all part of the text.",
] * 20 + texts * 5
corpus_path = os.path.join(OUT, "corpus.txt")
with open(corpus_path, "w", encoding="utf-8") as f:
    f.write("\n".join(corpus) + "\n")
spm.SentencePieceTrainer.train(
    input=corpus_path, model_prefix=os.path.join(OUT, "sentencepiece.bpe"), vocab_size=400, model_type="unigram",
    character_coverage=1.0, hard_vocab_limit=False, minloglevel=2,
)  # default normalization: nmt_nfkc, as XLM-R's model
os.remove(corpus_path)
os.remove(os.path.join(OUT, "sentencepiece.bpe.vocab"))

try:
    tokenizer = XLMRobertaTokenizer.from_pretrained(OUT)
    route = "sentencepiece.bpe.model"
except Exception as e:  # transformers 5: no file path; give it the fairseq-ordered vocabulary
    print("from_pretrained failed:", e)
    sp = spm.SentencePieceProcessor(model_file=MODEL_FILE)
    pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())
              if sp.id_to_piece(i) not in ("<unk>", "<s>", "</s>")]
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + pieces + [("<mask>", 0.0)]
    tokenizer = XLMRobertaTokenizer(vocab=vocab)
    route = "tokenizer.json"
tokenizer.save_pretrained(OUT)
if route == "tokenizer.json" and os.path.exists(MODEL_FILE):
    os.remove(MODEL_FILE)
# What microsoft/LLMLingua (and so make_llmlingua_fixtures.py) loads: the saved files through AutoTokenizer.
tokenizer = AutoTokenizer.from_pretrained(OUT)
print("tokenizer", type(tokenizer).__name__, route, len(tokenizer), tokenizer.tokenize("Hello world, 2024!"))

config = XLMRobertaConfig(
    vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
    hidden_act="gelu", max_position_embeddings=514, type_vocab_size=1, layer_norm_eps=1e-5,
    pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    num_labels=2, architectures=["XLMRobertaForTokenClassification"],
)
torch.manual_seed(43)
model = XLMRobertaForTokenClassification(config).eval()
with torch.no_grad():
    for name, p in sorted(model.named_parameters()):
        noise = torch.randn(p.shape)
        p.copy_(1 + 0.1 * noise if name.endswith("LayerNorm.weight") else 0.2 * noise)
model.save_pretrained(OUT, safe_serialization=True)

cases = []
with torch.no_grad():
    for text in texts:
        enc = tokenizer(text, return_tensors="pt", truncation=True, max_length=512)
        logits = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
        keep = torch.softmax(logits, dim=-1)[0, :, 1]
        cases.append({"text": text, "input_ids": enc["input_ids"][0].tolist(), "keep_probs": keep.tolist()})
    # One padded batch (right padding with <pad>, whose positions RoBERTa numbers apart): rows must not change.
    tokenizer.padding_side = "right"
    enc = tokenizer(texts[:2], return_tensors="pt", padding=True)
    batch_keep = torch.softmax(model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits, dim=-1)[..., 1]

with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
    json.dump({
        "torch": torch.__version__, "transformers": transformers.__version__, "tokenizer_route": route,
        "cases": cases,
        "batch": {
            "input_ids": enc["input_ids"].tolist(),
            "attention_mask": enc["attention_mask"].tolist(),
            "keep_probs": batch_keep.tolist(),
        },
    }, f, ensure_ascii=False, indent=1)
print("wrote", OUT, "route", route, "torch", torch.__version__, "transformers", transformers.__version__)
