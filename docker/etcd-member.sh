#!/bin/sh
# One etcd member with peer and client mTLS; INITIAL_CLUSTER lists all members (name=https://127.0.0.1:peer).
set -eu
name=$1 client=$2 peer=$3
exec etcd --name "$name" --data-dir /var/lib/etcd/data \
  --listen-client-urls "https://127.0.0.1:$client" --advertise-client-urls "https://127.0.0.1:$client" \
  --listen-peer-urls "https://127.0.0.1:$peer" --initial-advertise-peer-urls "https://127.0.0.1:$peer" \
  --initial-cluster "$INITIAL_CLUSTER" --initial-cluster-token "${CLUSTER_TOKEN:-pykube-compose}" \
  --initial-cluster-state new \
  --cert-file /pki/etcd/server.crt --key-file /pki/etcd/server.key --trusted-ca-file /pki/etcd/ca.crt \
  --client-cert-auth \
  --peer-cert-file /pki/etcd/peer.crt --peer-key-file /pki/etcd/peer.key --peer-trusted-ca-file /pki/etcd/ca.crt \
  --peer-client-cert-auth \
  --experimental-watch-progress-notify-interval 1s --logger zap
