"""Admission webhooks (kube's MutatingAdmissionWebhook and ValidatingAdmissionWebhook): the configurations from the
replica's watch caches, which requests each webhook is for, AdmissionReviews over HTTPS, and the two plugins."""
