"""A small local KMS v2 plugin for encryption at rest: `python -m kmsplugin --socket PATH --key-file PATH`.

It serves kube's KMS v2 gRPC API (`v2.KeyManagementService`) on a unix socket and wraps DEK seeds with
AES-256-GCM under key-encryption keys read from a file, so what it encrypted stays decryptable across
restarts. It is for development, tests and demos: the keys sit on the same machine as the data.
"""
