#!/usr/bin/env bash
# Installs llama.cpp's Python binding into bench/.venv for side-by-side engine comparisons.
# Built from source with AVX-512 on and the AMX paths off: a native build crashes in its AMX
# matmul on CPUs that have AMX (seen on the project's CI machines).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import llama_cpp" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" \
  "$venv/bin/pip" install --quiet --no-cache-dir "llama-cpp-python==0.3.36"
