#!/usr/bin/env bash
# Compresses the shipped evaluation model with every weight-compression method and prints the held-out table
# (ppl, Δppl, KL to dense, weight bytes) plus the KV-cache table. Needs ../shared/research-data for the calibration text
# (the model's training split). Usage: evals/ContextPress.ModelLab/compression-table.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-artifacts/compression-table}"
mkdir -p "$work"
model=evals/ContextPress.ModelLab/model
dotnet build src/ContextPress.Cli -c Release -v q -nologo >/dev/null
dotnet build evals/ContextPress.ModelLab -c Release -v q -nologo >/dev/null
lab() { dotnet run -c Release --no-build --project evals/ContextPress.ModelLab -- "$@"; }
lab calib --out "$work/calib.txt"

candidates=()
compress() { # name, then method options
  local name="$1"; shift
  dotnet src/ContextPress.Cli/bin/Release/net10.0/contextpress.dll model compress --model "$model" --calib "$work/calib.txt" \
    --device cpu -q --output "$work/$name" "$@" | tail -n 1 | sed "s/^/$name: /"
  candidates+=(--candidate "$work/$name")
}
compress int8-rtn --method rtn --bits 8
compress w4-rtn --method rtn --bits 4
compress w4-gptq --method gptq --bits 4
compress w4g32-rtn --method rtn --bits 4 --group-size 32
compress w4g32-gptq --method gptq --bits 4 --group-size 32
compress w3-rtn --method rtn --bits 3
compress w3-gptq --method gptq --bits 3
compress w3g32-rtn --method rtn --bits 3 --group-size 32
compress w3g32-gptq --method gptq --bits 3 --group-size 32
compress w3-gptq+eora16 --method gptq --bits 3 --eora-rank 16
compress svd-20 --method svd --ratio 0.2
compress asvd-20 --method asvd --ratio 0.2
compress svd-llm-20 --method svd-llm --ratio 0.2
compress svd-40 --method svd --ratio 0.4
compress asvd-40 --method asvd --ratio 0.4
compress svd-llm-40 --method svd-llm --ratio 0.4
compress magnitude-50 --method magnitude --sparsity 0.5
compress wanda-50 --method wanda --sparsity 0.5
compress sparsegpt-50 --method sparsegpt --sparsity 0.5
compress magnitude-2of4 --method magnitude --pattern 2:4
compress wanda-2of4 --method wanda --pattern 2:4
compress sparsegpt-2of4 --method sparsegpt --pattern 2:4
compress sparsegpt-2of4+eora16 --method sparsegpt --pattern 2:4 --eora-rank 16

lab eval --dense "$model" "${candidates[@]}" --threads 2 --kv
