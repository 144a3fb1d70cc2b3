#!/usr/bin/env python3
"""Re-quantizes a GGUF file with llama.cpp's quantizer, for engine experiments.

    $(bash bench/setup-llamacpp.sh) bench/requantize.py IN.gguf OUT.gguf q8_0|q4_0|q4_k_m
"""
import sys

import llama_cpp

TYPES = {"q4_0": 2, "q4_1": 3, "q8_0": 7, "q4_k_m": 15, "q5_k_m": 17, "q6_k": 18}

if len(sys.argv) != 4 or sys.argv[3] not in TYPES:
    sys.exit(__doc__)
params = llama_cpp.llama_model_quantize_default_params()
params.ftype = TYPES[sys.argv[3]]
params.allow_requantize = True
params.nthread = 2
rc = llama_cpp.llama_model_quantize(sys.argv[1].encode(), sys.argv[2].encode(), params)
sys.exit(f"quantize failed with code {rc}" if rc else 0)
