#!/usr/bin/env bash
# Fill .gpu/ (git-ignored) with what tools/benchmarks/cifar10_lt_gpu_run.py
# needs on a device machine that has PyTorch but no OpenMMLab packages and
# no network: the CIFAR-10 JPEG archive (19 MB) and its converter, and the
# pure-Python wheels of the pinned stack for the device's Python 3.12
# (~3 MB). Run it from any directory of the repository that will be sent;
# then carry ".gpu" in the device call (docs/speed.md).
#
# Usage: bash tools/benchmarks/prepare_gpu_carry.sh [SHARED_DIR]
#   SHARED_DIR holds data/cifar10-jpeg.tar.gz and
#   tools/cifar10_jpeg_to_batches.py (default: ../shared of the repo root).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${1:-$ROOT/../shared}
mkdir -p "$ROOT/.gpu/whl"
cp "$SHARED/data/cifar10-jpeg.tar.gz" \
   "$SHARED/tools/cifar10_jpeg_to_batches.py" "$ROOT/.gpu/"
python3 -m pip download -q --no-deps --only-binary=:all: \
    --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d "$ROOT/.gpu/whl" \
    mmengine==0.10.7 mmpretrain==1.2.0 mmcv-lite==2.2.0 addict==2.4.0 \
    yapf==0.43.0 platformdirs==4.14.9 termcolor==3.3.0 mat4py==0.6.0
du -sh "$ROOT/.gpu"
