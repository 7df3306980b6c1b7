# One image for every service of the topology: etcd, the API server replicas, the load balancer, the certs job.
# BASE defaults to the public Python image; on machines without a registry, docker/base-image.sh makes
# local/base:bookworm (with etcd already in it) and docker/build.sh builds with --network none.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}
RUN command -v etcd >/dev/null || { apt-get update && apt-get install -y --no-install-recommends etcd-server \
    etcd-client ca-certificates && rm -rf /var/lib/apt/lists/*; }
COPY docker/wheels /wheels
COPY . /src
# wheels made on the host when there are any (no network needed); otherwise from the package index
RUN python3 -m venv /opt/venv && \
    if ls /wheels/*.whl >/dev/null 2>&1; then \
      /opt/venv/bin/pip install --no-index --find-links /wheels pykube-apiserver; \
    else \
      /opt/venv/bin/pip install /src; \
    fi && rm -rf /wheels
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /var/lib/pykube
