"""Writes Fixtures/llmlingua-expected.json for LlmLinguaParityTests: what microsoft/LLMLingua's
`compress_prompt(..., use_llmlingua2=True)` keeps on the tiny random checkpoints of ParityTests (Fixtures/bert-tiny,
Fixtures/xlmr-tiny), for a small matrix of rate, force tokens, force_reserve_digit and drop_consecutive.

Needs torch, transformers and tiktoken (the GPU machine; CPU is enough) and the reference's code, never committed:
run_parity_fixtures.sh unpacks `llmlingua/` from a snapshot of microsoft/LLMLingua into a git-ignored folder and passes
it as LLMLINGUA_SRC, together with cl100k_base.tiktoken (no network there: tiktoken reads it from its cache).

    LLMLINGUA_SRC=DIR CL100K_FILE=FILE python make_llmlingua_fixtures.py [FIXTURES_DIR]

Traps (shared/gpu/llmlingua2-reference/README.md): nltk is imported but unused on this path and absent, so it is
stubbed; the reference picks its word rule from the model directory's *name*, so each checkpoint is copied to a
directory whose name holds `bert-base-multilingual-cased` or `xlm-roberta-large`.

Per case the fixture holds the reference's words and labels (`return_word_label=True`, with separators that cannot occur
in the texts), the compressed prompt and token counts, and per model the `[NEWi]` embedding rows that
`resize_token_embeddings` made at load time (they are not in the checkpoint and depend on the transformers version).
"""
import hashlib
import json
import os
import shutil
import sys
import types

sys.modules.setdefault("nltk", types.ModuleType("nltk"))
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "Fixtures")
SRC = os.environ.get("LLMLINGUA_SRC")
if not SRC or not os.path.isdir(os.path.join(SRC, "llmlingua")):
    sys.exit("LLMLINGUA_SRC must name a folder holding microsoft/LLMLingua's llmlingua/ package")
sys.path.insert(0, SRC)

cache = os.environ.setdefault("TIKTOKEN_CACHE_DIR", "/tmp/tiktoken-cache")
os.makedirs(cache, exist_ok=True)
if os.environ.get("CL100K_FILE"):
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    shutil.copy(os.environ["CL100K_FILE"], os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))

import torch  # noqa: E402
import transformers  # noqa: E402
from llmlingua import PromptCompressor  # noqa: E402

WORD_SEP, LABEL_SEP = "\x1e", "\x1f"  # record and unit separators: in no text below
MODELS = {"bert-tiny": "tiny-bert-base-multilingual-cased", "xlmr-tiny": "tiny-xlm-roberta-large"}

# Words inside each vocabulary (bert-tiny knows ASCII letters, digits, a few symbols and 中文; [UNK] words would not
# compare), with newlines, questions, digits and repeated force tokens.
TEXTS = {
    "meeting": "Speaker 1: So we meet at 10 on Tuesday.\nSpeaker 2: Is Paris the capital of France?\n"
               "Speaker 1: Yes. The cost is $12.50, and 3 of us go.\n\n\nSpeaker 2: Fine!",
    "question": "Question: the cat sat on the mat. What sat on the mat?\nQuestion: is 12 + 50 = 62?\nThe answer is 62.",
    "repeats": "the cat sat . . . . on the mat ! ! ! and then\n\n\n\nthe cat sat on Paris ? ? ?",
    # Several 510-piece chunks for both models: the reference's chunk cuts at "." / "\n".
    "long": " ".join(f"the cat sat on the mat {i}. is Paris the capital of France?" + ("\n" if i % 7 == 0 else "")
                     for i in range(120)),
}
SETTINGS = [
    {"rate": 0.33, "force_tokens": [], "force_reserve_digit": False, "drop_consecutive": False},
    {"rate": 0.5, "force_tokens": ["\n", "?"], "force_reserve_digit": False, "drop_consecutive": False},
    {"rate": 0.9, "force_tokens": ["\n", "?"], "force_reserve_digit": False, "drop_consecutive": False},
    {"rate": 0.33, "force_tokens": ["\n", ".", "!", "?"], "force_reserve_digit": False, "drop_consecutive": True},
    {"rate": 0.5, "force_tokens": ["\n", "Question:", "The answer is", "+", "="], "force_reserve_digit": True,
     "drop_consecutive": False},
    {"rate": 0.7, "force_tokens": ["\n", "?", "$"], "force_reserve_digit": True, "drop_consecutive": True},
]

out = {"torch": torch.__version__, "transformers": transformers.__version__, "models": {}, "cases": []}
work = "/tmp/cp-llmlingua-parity"
shutil.rmtree(work, ignore_errors=True)
for fixture, reference_name in MODELS.items():
    src = os.path.join(FIXTURES, fixture)
    if not os.path.exists(os.path.join(src, "expected.json")):
        sys.exit(f"{src} is missing: run make_bert_fixtures.py / make_xlmr_fixtures.py first")
    model_dir = os.path.join(work, reference_name)
    shutil.copytree(src, model_dir)
    compressor = PromptCompressor(model_name=model_dir, use_llmlingua2=True, device_map="cpu")
    vocab_size = compressor.model.config.vocab_size
    embeddings = compressor.model.get_input_embeddings().weight.detach().float().cpu()
    base = len(compressor.tokenizer) - len(compressor.added_tokens)
    out["models"][fixture] = {
        "tokenizer_size_before_new_tokens": base,
        "vocab_size_after_resize": vocab_size,
        "added_embeddings": embeddings[base:].tolist(),  # rows of [NEW0] .. [NEW99]
    }
    for text_name, text in TEXTS.items():
        for setting in SETTINGS:
            result = compressor.compress_prompt(
                text, rate=setting["rate"], force_tokens=setting["force_tokens"],
                force_reserve_digit=setting["force_reserve_digit"], drop_consecutive=setting["drop_consecutive"],
                return_word_label=True, word_sep=WORD_SEP, label_sep=LABEL_SEP)
            pairs = [entry.rsplit(LABEL_SEP, 1) for entry in result["fn_labeled_original_prompt"].split(WORD_SEP)]
            out["cases"].append({
                "model": fixture, "text_name": text_name, "text": text, **setting,
                "words": [w for w, _ in pairs], "labels": [int(label) for _, label in pairs],
                "compressed_prompt": result["compressed_prompt"],
                "origin_tokens": result["origin_tokens"], "compressed_tokens": result["compressed_tokens"],
            })
    del compressor

path = os.path.join(FIXTURES, "llmlingua-expected.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
print("wrote", path, len(out["cases"]), "cases; torch", torch.__version__, "transformers", transformers.__version__)
