#!/usr/bin/env bash
# Makes every parity fixture of ContextPress.Classifier.Tests in one run on the GPU machine (CPU work; transformers,
# sentencepiece and tiktoken are there, .NET is not). Three steps, from the repository root:
#
#   1. here:        bash tests/ContextPress.Classifier.Tests/parity/run_parity_fixtures.sh prepare [LLMLINGUA_GIT_DIR]
#                   unpacks microsoft/LLMLingua's llmlingua/ (from a snapshot's git dir; the `fetch` tool gives one)
#                   and cl100k_base.tiktoken into .gpu/llmlingua-ref/ (git-ignored: the reference is never committed).
#   2. GPU machine: bash tests/ContextPress.Classifier.Tests/parity/run_parity_fixtures.sh generate
#                   carrying .gpu/llmlingua-ref; writes $OUT/parity-fixtures.tar.gz (one file: the tool returns few).
#   3. here:        bash tests/ContextPress.Classifier.Tests/parity/run_parity_fixtures.sh unpack FILES_AT
#                   extracts into tests/ContextPress.Classifier.Tests/Fixtures/; then run the tests and commit Fixtures/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
REF="$ROOT/.gpu/llmlingua-ref"
ARCHIVE=parity-fixtures.tar.gz

case "${1:-}" in
prepare)
    git_dir="${2:-/work/.mirror/microsoft+LLMLingua/repo}"
    cl100k="${CL100K_FILE:-$ROOT/../shared/gpu/llmlingua2-reference/cl100k_base.tiktoken}"
    [ -d "$git_dir" ] || { echo "no microsoft/LLMLingua git dir at $git_dir" >&2; exit 1; }
    [ -f "$cl100k" ] || { echo "no cl100k_base.tiktoken at $cl100k (set CL100K_FILE)" >&2; exit 1; }
    rm -rf "$REF" && mkdir -p "$REF"
    git --git-dir="$git_dir" archive HEAD llmlingua | tar -x -C "$REF"
    git --git-dir="$git_dir" rev-parse HEAD > "$REF/COMMIT"
    cp "$cl100k" "$REF/cl100k_base.tiktoken"
    git -C "$ROOT" check-ignore -q "$REF/COMMIT" || { echo ".gpu/ is not git-ignored: it cannot be carried" >&2; exit 1; }
    echo "prepared $REF (microsoft/LLMLingua $(cat "$REF/COMMIT")); carry .gpu/llmlingua-ref"
    ;;
generate)
    [ -d "$REF/llmlingua" ] || { echo "$REF/llmlingua is missing: run 'prepare' here and carry .gpu/llmlingua-ref" >&2; exit 1; }
    out="${OUT:-/tmp/parity-out}"
    work="$(mktemp -d)"
    fixtures="$work/Fixtures"
    mkdir -p "$out" "$fixtures"
    python3 "$HERE/make_bert_fixtures.py" "$fixtures/bert-tiny"
    python3 "$HERE/make_xlmr_fixtures.py" "$fixtures/xlmr-tiny"
    LLMLINGUA_SRC="$REF" CL100K_FILE="$REF/cl100k_base.tiktoken" python3 "$HERE/make_llmlingua_fixtures.py" "$fixtures"
    {
        echo "microsoft/LLMLingua $(cat "$REF/COMMIT")"
        python3 -c 'import sys; from importlib.metadata import version as v; print("python", sys.version.split()[0], *(f"{p} {v(p)}" for p in ("torch", "transformers", "tokenizers", "sentencepiece", "tiktoken", "safetensors", "numpy")))'
    } > "$fixtures/versions.txt"
    cat "$fixtures/versions.txt"
    tar -czf "$out/$ARCHIVE" -C "$fixtures" .
    du -sh "$fixtures"/* "$out/$ARCHIVE"
    ;;
unpack)
    from="${2:?usage: unpack DIR_HOLDING_$ARCHIVE}"
    dest="$ROOT/tests/ContextPress.Classifier.Tests/Fixtures"
    mkdir -p "$dest"
    tar -xzf "$from/$ARCHIVE" -C "$dest"
    echo "unpacked into $dest:"; cat "$dest/versions.txt"
    echo "next: dotnet test tests/ContextPress.Classifier.Tests -c Release --filter 'FullyQualifiedName~Parity'; commit Fixtures/"
    ;;
*)
    echo "usage: $0 prepare [LLMLINGUA_GIT_DIR] | generate | unpack FILES_AT" >&2
    exit 2
    ;;
esac
