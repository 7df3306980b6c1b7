"""Clients of webhooks configured by kubeconfig files (authentication, authorization, admission)."""
