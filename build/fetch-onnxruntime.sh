#!/usr/bin/env bash
# Puts the official ONNX Runtime 1.30.0 native library (libonnxruntime.so.1, linux-x64) in a cache outside
# the repository and prints its path. It comes from the npm package onnxruntime-node@1.30.0, fetched with
# `npm pack` (which runs no install scripts), and is checked against its sha256 before use.
# Nothing downloaded is ever committed. Override the cache folder with MODELACTORS_CACHE.
set -euo pipefail
VERSION=1.30.0
SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
CACHE="${MODELACTORS_CACHE:-$HOME/.cache/modelactors}/onnxruntime-$VERSION"
LIB="$CACHE/libonnxruntime.so.1"

verified() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$SHA256" ]; }

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # parallel builds of several projects fetch once

if verified "$LIB"; then
  echo "$LIB"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "error: ModelActors needs ONNX Runtime $VERSION and fetches it with npm, which is not installed." >&2
  echo "       Install Node.js and npm (Debian: apt-get install -y npm), or place libonnxruntime.so.1" >&2
  echo "       with sha256 $SHA256 at $LIB." >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "Fetching onnxruntime-node@$VERSION with npm pack (about 115 MB, once)..." >&2
(cd "$work" && npm pack --silent "onnxruntime-node@$VERSION" >/dev/null)
tar -xzf "$work/onnxruntime-node-$VERSION.tgz" -C "$work" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
candidate="$work/package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
if ! verified "$candidate"; then
  echo "error: the libonnxruntime.so.1 in onnxruntime-node@$VERSION has sha256 $(sha256sum "$candidate" | cut -d' ' -f1)," >&2
  echo "       expected $SHA256. Refusing to use it; check the npm registry you reach." >&2
  exit 1
fi
mv "$candidate" "$LIB"
echo "$LIB"
