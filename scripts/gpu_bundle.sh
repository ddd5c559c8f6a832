#!/usr/bin/env bash
# Prepares .gpu/, everything scripts/gpu_check.sh needs on a bare CUDA machine that has PyTorch,
# CMake and nvcc but no Bazel, no Debian packages and no network (run it here, on the CPU machine):
#   .gpu/bazel            self-contained Bazel 2.1 with its own JDK (npm @bazel/bazel-linux_x64@2.1.0)
#   .gpu/sysroot.tar.xz   the Debian C++ libraries the build needs (absl, protobuf + protoc, re2, ICU,
#                         nlohmann-json, googletest, Google Benchmark), unpacked with dpkg -x
#   .gpu/data.tar.xz      the bundled data the GPU run uses (for a tree shipped without data/)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x .gpu/bazel ]; then
  (cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent @bazel/bazel-linux_x64@2.1.0 >/dev/null)
  cp "$work/node_modules/@bazel/bazel-linux_x64/bazel-2.1.0-linux-x86_64" .gpu/bazel
  chmod +x .gpu/bazel
fi

if [ ! -s .gpu/sysroot.tar.xz ]; then
  mkdir -p "$work/debs" "$work/sysroot"
  (cd "$work/debs" && apt-get download -q \
    libabsl-dev libabsl20220623 libprotobuf-dev libprotobuf32 libprotobuf-lite32 protobuf-compiler libprotoc32 \
    libre2-dev libre2-9 libicu-dev libicu72 nlohmann-json3-dev libgtest-dev libbenchmark-dev libbenchmark1debian \
    >/dev/null 2>&1)
  for d in "$work"/debs/*.deb; do dpkg -x "$d" "$work/sysroot"; done
  lib="$work/sysroot/usr/lib/x86_64-linux-gnu"
  # Static archives are not linked (shared libraries are), except googletest's.
  find "$lib" -name '*.a' ! -name 'libgtest*.a' ! -name 'libbenchmark*.a' -delete
  rm -rf "$work/sysroot/usr/share" "$lib/icu"
  tar -C "$work" -cJf .gpu/sysroot.tar.xz sysroot
fi

if [ ! -s .gpu/data.tar.xz ]; then
  tar -cJf .gpu/data.tar.xz data/SOURCES.md data/LICENSES.md data/vocab data/corpus \
    data/glue/CoLA data/glue/SST-2 data/glue/MRPC data/glue/STS-B data/glue/RTE
fi
du -sh .gpu/* >&2
