#!/usr/bin/env bash
# Builds the image with no network: wheels are made on the host first, then `docker build --network none`.
# usage: docker/build.sh [BASE_IMAGE]   (default local/base:bookworm, made by docker/base-image.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-local/base:bookworm}
python=${PYTHON:-.venv/bin/python}
mkdir -p docker/wheels && rm -f docker/wheels/*.whl
"$python" -m pip wheel --quiet --wheel-dir docker/wheels . >/dev/null
docker build --quiet --network none --build-arg "BASE=$base" -t pykube:local . >/dev/null
