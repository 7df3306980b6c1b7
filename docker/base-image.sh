#!/usr/bin/env bash
# The base image without a registry: a minimal Debian bookworm made with debootstrap, cached as a tarball
# keyed on its package list, imported as local/base:bookworm into the engine at $DOCKER_HOST.
set -euo pipefail
packages=python3,python3-venv,etcd-server,etcd-client,ca-certificates
cache=${DOCKER_CACHE:-state/docker-cache}
key=$(printf %s "$packages" | sha256sum | cut -c1-12)
tarball="$cache/base-bookworm-$key.tar"
mkdir -p "$cache"
if [ ! -f "$tarball" ]; then
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" >"$cache/debootstrap.log" 2>&1
  tar -C "$rootfs" -cf "$tarball.tmp" .
  rm -rf "$rootfs"
  mv "$tarball.tmp" "$tarball"
fi
docker import "$tarball" local/base:bookworm >/dev/null
