#!/usr/bin/env bash
# GPU check for the ILGPU backend, from a bare checkout on a machine with the .NET SDK and an
# NVIDIA driver (nothing else: no CUDA toolkit, OpenBLAS or Python needed). It
#   1. says in one line and exits 2 when there is no NVIDIA GPU;
#   2. builds the kernels, their tests and benchmarks;
#   3. runs the kernel contract tests on the CUDA accelerator (NEURONHOST_KERNEL_TEST_BACKEND=cuda);
#   4. prints the benchmark table: ours on CUDA vs the card's copy bandwidth measured in the same
#      run, PyTorch CUDA when `python3 -c "import torch"` works, and cpu-simd.
# Sizes: the issue's (200k × 3072 tokens × neurons); GPU_CHECK_QUICK=1 for 50k × 1024.
# Budget: under 8 minutes on an H100-class machine (build ~2 min, tests ~1 min, table ~3 min).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi missing or lists no GPU); nothing to check" >&2
  exit 2
fi
nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader >&2
command -v dotnet >/dev/null 2>&1 || { echo "gpu-check: the .NET SDK (dotnet) is not on PATH" >&2; exit 2; }

echo "== build" >&2
dotnet build tests/NeuronHost.Kernels.Tests/NeuronHost.Kernels.Tests.csproj -c Release -nologo -v quiet >&2
dotnet build host/NeuronHost.Benchmarks/NeuronHost.Benchmarks.csproj -c Release -nologo -v quiet >&2

echo "== kernel contract tests on cuda (after $((SECONDS - start)) s)" >&2
NEURONHOST_KERNEL_TEST_BACKEND=cuda dotnet test tests/NeuronHost.Kernels.Tests/NeuronHost.Kernels.Tests.csproj -c Release --no-build \
  --filter "FullyQualifiedName~Gpu.Ilgpu" -v quiet >&2

echo "== benchmark table (after $((SECONDS - start)) s)" >&2
quick=()
[ "${GPU_CHECK_QUICK:-0}" = 1 ] && quick=(--quick)
dotnet run -c Release --no-build --project host/NeuronHost.Benchmarks -- gpu --backend cuda "${quick[@]}"
echo "gpu-check: done in $((SECONDS - start)) s" >&2
