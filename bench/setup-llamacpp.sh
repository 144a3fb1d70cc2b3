#!/usr/bin/env bash
# Installs llama.cpp's Python binding, with its OpenAI-compatible server, into a virtual
# environment outside the checkout ($LLAMACPP_VENV, default ~/.cache/assistant/llamacpp-venv, so
# fresh clones on one machine share it), and prints the environment's python. Used for
# side-by-side engine comparisons (bench/compare.sh) and as an independent cloud server in the
# tests (tests/cloud_llamacpp.rs). Built from source with AVX-512 on and the AMX paths off: a
# native build crashes in its AMX matmul on CPUs that have AMX (seen on the project's CI machines).
set -euo pipefail
venv="${LLAMACPP_VENV:-$HOME/.cache/assistant/llamacpp-venv}"
if ! { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import llama_cpp, llama_cpp.server.app" 2>/dev/null; }; then
  echo "==> building llama-cpp-python 0.3.36 with its server into $venv (about 5 minutes, once)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" \
    "$venv/bin/pip" install --quiet "llama-cpp-python[server]==0.3.36" >&2
fi
echo "$venv/bin/python"
