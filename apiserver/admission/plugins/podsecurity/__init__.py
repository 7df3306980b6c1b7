"""PodSecurity (Pod Security Admission): the Pod Security Standards checks per level and version, and the plugin
that applies them by namespace labels."""
from apiserver.admission.plugins.podsecurity.plugin import PodSecurity

__all__ = ["PodSecurity"]
