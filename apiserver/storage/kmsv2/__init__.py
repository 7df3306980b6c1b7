"""KMS v2 encryption at rest: the plugin API client (`client`), kube's envelope format and KDF (`envelope`),
and the provider that ties them to a plugin's status (`provider`).

The `*_pb2.py`/`*_pb2_grpc.py` modules are generated from the `.proto` files next to them and committed, so
nothing is generated at install time. To regenerate (grpcio-tools matching the installed grpcio), from the
repository root:

    python -m grpc_tools.protoc -I. --python_out=. --pyi_out=. --grpc_python_out=. \\
        apiserver/storage/kmsv2/service.proto apiserver/storage/kmsv2/encrypted_object.proto
    rm apiserver/storage/kmsv2/encrypted_object_pb2_grpc.py   # that file declares no service
"""
