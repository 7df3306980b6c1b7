#!/bin/sh
# One API server replica on 127.0.0.1:$1, against the etcd members in ETCD_SERVERS.
set -eu
exec python -m apiserver --secure-port="$1" --bind-address=127.0.0.1 --etcd-servers="$ETCD_SERVERS" \
  --etcd-cafile=/pki/etcd/ca.crt --etcd-certfile=/pki/apiserver-etcd-client.crt \
  --etcd-keyfile=/pki/apiserver-etcd-client.key --tls-cert-file=/pki/apiserver.crt \
  --tls-private-key-file=/pki/apiserver.key --client-ca-file=/pki/ca.crt --shutdown-delay-duration=3s \
  --encryption-provider-config=/pki/encryption-config.yaml --encryption-provider-config-automatic-reload
