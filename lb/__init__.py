"""The bundled L4 TCP load balancer in front of the API server replicas (`python -m lb`, see docs/lb.md)."""
