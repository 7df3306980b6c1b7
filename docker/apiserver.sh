#!/bin/sh
# One API server replica on 127.0.0.1:$1, against the etcd members in ETCD_SERVERS, with make up's production
# profile (cluster/production.py).
set -eu
exec python -m cluster.production --pki-dir=/pki --port="$1" --etcd-servers="$ETCD_SERVERS" \
  --encryption-config=/pki/encryption-config.yaml
