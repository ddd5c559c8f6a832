#!/usr/bin/env bash
# Installs every Debian package the project needs (idempotent; quiet when all are present),
# and the npm reference tools under tests/node (HF tokenizers, a TFRecord library).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  bazel-bootstrap bazel-platforms bazel-rules-java   # Bazel 4.2.3 and the rule sets it needs offline
  libtorch-dev libgloo-dev libopenblas0-pthread                           # LibTorch 1.13 (CPU) and c10d's Gloo backend
  libabsl-dev libprotobuf-dev protobuf-compiler libre2-dev
  libgtest-dev libbenchmark-dev
  libicu-dev nlohmann-json3-dev
  gnuplot-nox zip unzip python3
  curl xz-utils                                       # scripts/get_glue.sh, get_openwebtext.sh and their tests
  clang libclang-rt-14-dev                            # libFuzzer and sanitizers (scripts/fuzz.sh)
  nodejs npm
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node and npm may come from outside Debian (a preinstalled toolchain): accept those.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Reference tools for golden files and format cross-checks (pinned in tests/node/package.json).
if [ ! -d tests/node/node_modules/tokenizers ] || [ ! -d tests/node/node_modules/@roboflow/tfrecords ]; then
  echo "setup: installing npm reference tools in tests/node" >&2
  (cd tests/node && npm install --no-audit --no-fund --silent >/dev/null)
fi
