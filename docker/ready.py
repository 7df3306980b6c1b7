"""Container health check: exit 0 when the URL answers 200 (HTTPS verified against /pki/ca.crt, presenting the
health-check client certificate, since the replicas refuse anonymous requests)."""
import ssl
import sys
import urllib.request

context = None
if sys.argv[1].startswith("https"):
    context = ssl.create_default_context(cafile="/pki/ca.crt")
    context.load_cert_chain("/pki/health-check-client.crt", "/pki/health-check-client.key")
try:
    with urllib.request.urlopen(sys.argv[1], context=context, timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
