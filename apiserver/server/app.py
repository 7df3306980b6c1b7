"""Builds one replica: the etcd client, the registry with its watch caches, the filter chain around the
handlers, and the start-up and shutdown sequence (TLS is server/tls.py)."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from apiserver.admission.build import build_chain
from apiserver.api.meta import errors
from apiserver.authn.build import build_authenticator
from apiserver.authz.build import build_authorizer
from apiserver.authz.rbac import RBACAuthorizer
from apiserver.authz.reviews import Reviews
from apiserver.controllers.manager import ControllerManager, replica_identity
from apiserver.endpoints import discovery, openapi
from apiserver.endpoints.oidc_discovery import openid_metadata
from apiserver.endpoints.query import parse_delete_options
from apiserver.endpoints.rest import RestHandler, respond
from apiserver.endpoints.watch import WatchSettings
from apiserver.filters.authentication import with_authentication
from apiserver.filters.authorization import with_authorization
from apiserver.filters.impersonation import with_impersonation
from apiserver.filters.inflight import InFlight
from apiserver.filters.metrics import with_metrics
from apiserver.filters.recovery import recovery
from apiserver.filters.requestinfo import context_headers, with_request_info
from apiserver.filters.shutdown import with_shutdown
from apiserver.filters.timeout import with_timeout
from apiserver.metrics.registry import Metrics
from apiserver.options.flags import ServerConfig
from apiserver.registry import authnreviews
from apiserver.registry.catalogue import Catalogue
from apiserver.registry.pods import PodActions
from apiserver.registry.registry import CacheSizes, Registry
from apiserver.registry.serviceranges import ServiceNetwork
from apiserver.registry.tokenrequest import TokenIssuer, TokenRequests
from apiserver.registry.virtual import VirtualResources
from apiserver.request.context import request_info
from apiserver.request.info import RequestInfo
from apiserver.server.bootstrap import ensure_system_objects
from apiserver.server.health import PING, NamedCheck, serve_checks
from apiserver.server.startup import LoadedFiles
from apiserver.server.version import version_info
from apiserver.storage.encryption import EncryptionTransformers, build
from apiserver.storage.encryption_reload import EncryptionConfigReloader
from apiserver.storage.etcd_client import EtcdClient
from apiserver.storage.kmsv2.settings import KMSSettings, KMSTimings

log = logging.getLogger("apiserver")

NOT_FOUND = errors.StatusError(404, "NotFound", "the server could not find the requested resource")


@dataclass
class APIServer:
    config: ServerConfig
    # what the flags' files hold, read by the start-up step
    files: LoadedFiles
    catalogue: Catalogue = field(default_factory=Catalogue)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    metrics: Metrics = field(default_factory=Metrics)

    def __post_init__(self) -> None:
        config, etcd, serving = self.config, self.config.etcd, self.config.serving
        self.client = EtcdClient(etcd.client_config())
        sizes = CacheSizes(etcd.default_watch_cache_size, etcd.watch_cache_sizes)
        network = ServiceNetwork(config.service_network.cluster_ip_ranges, config.service_network.node_port_range)
        self.metrics.apiserver_id = f"apiserver-{replica_identity(config)}"
        self.encryption = self._encryption_transformers()
        self.registry = Registry(self.catalogue, self.client, etcd.prefix, sizes, network, self.encryption,
                                 etcd.storage_media_type)
        accounts = config.authentication.service_accounts
        authn_files = self.files.authentication
        token_requests = (TokenRequests(self.registry, TokenIssuer(
            authn_files.signing_key, accounts.issuers[0], accounts.api_audiences,
            int(accounts.max_token_expiration), accounts.extend_token_expiration))
            if accounts.issuers and authn_files.signing_key else None)
        self.openid = (openid_metadata(accounts.issuers[0], accounts.jwks_uri,
                                       f"{config.coordination.advertise_address}:{serving.secure_port}",
                                       authn_files.service_account_keys) if accounts.issuers else None)
        self.authenticator = build_authenticator(config.authentication, authn_files, self.registry.token_objects())
        self.authorizer = build_authorizer(config.authorization, self.files.authorization, self.registry)
        self.admission = build_chain(config.admission, self.registry, self.authorizer, self.metrics)
        rbac = self.authorizer.find(RBACAuthorizer)
        virtual = VirtualResources({**authnreviews.handlers(self.authenticator, accounts.api_audiences),
                                    **Reviews(self.authorizer).handlers()})
        # the pods' actions are always served; the token action only with an issuer and a signing key
        actions = PodActions(self.registry, lambda body: parse_delete_options({}, body)).handlers()
        if token_requests:
            actions["token"] = token_requests.create
        self.rest = RestHandler(self.registry, WatchSettings(min_request_timeout=serving.min_request_timeout),
                                self.stopping, virtual, self.admission, actions)
        self.controllers = ControllerManager(config, self.client, self.registry)
        self.inflight = InFlight(serving.max_requests_inflight, serving.max_mutating_requests_inflight)
        self.server_address = f"{serving.bind_address}:{serving.secure_port}"
        self.checks = [PING, NamedCheck("etcd", self._etcd_check)]
        self.ready_checks = self.checks + [NamedCheck("informer-sync", self._cache_check),
                                           NamedCheck("shutdown", self._shutdown_check)]
        if rbac:
            # kube's post-start hook name; the leader writes the policy, every replica waits to see it
            self.ready_checks.append(NamedCheck("poststarthook/rbac/bootstrap-roles",
                                                lambda: self._rbac_check(rbac)))
        self.healthz_checks = list(self.checks)
        if config.encryption.automatic_reload or self.encryption.current.kms:
            # kube adds this check to healthz and readyz (not livez) with reloading on or KMS v2 providers in
            # use: the Status of every provider of the current file, failures named kms-provider-<index>
            kms = NamedCheck("kms-providers", self.encryption.kms_health)
            self.healthz_checks.append(kms)
            self.ready_checks.append(kms)
        self._reloader: asyncio.Task | None = None

    def _encryption_transformers(self) -> EncryptionTransformers:
        """Built from the file the start-up step parsed; its KMS plugins are connected in _on_startup."""
        parsed = self.files.encryption
        if parsed is None:
            return EncryptionTransformers()
        return EncryptionTransformers(build(parsed, self.metrics.record_transformation, self._kms_settings))

    @property
    def _kms_settings(self) -> KMSSettings:
        timings = KMSTimings(self.config.encryption.kms_v2_status_interval,
                             self.config.encryption.kms_v2_write_dek_max_ttl)
        # a KMS plugin back after failing: the watch caches retry the values they could not read
        return KMSSettings(timings, self.metrics, lambda: self.registry.relist_unreadable())

    async def _etcd_check(self) -> str | None:
        return None if await self.client.healthy() else "etcd is not reachable or has no leader"

    async def _cache_check(self) -> str | None:
        pending = self.registry.synced()
        return f"watch caches not synced: {', '.join(pending)}" if pending else None

    @staticmethod
    async def _rbac_check(rbac: RBACAuthorizer) -> str | None:
        missing = rbac.missing_defaults()
        return f"default RBAC policy not seen yet: {', '.join(missing[:5])}" if missing else None

    async def _shutdown_check(self) -> str | None:
        return "the server is shutting down" if self.stopping.is_set() else None

    def build_app(self) -> web.Application:
        # outermost first, as kube-apiserver's handler chain
        middlewares = [
            with_request_info,
            with_shutdown(self.stopping),
            with_metrics(self.metrics),
            recovery,
            with_timeout(self.config.serving.request_timeout),
            with_authentication(self.authenticator),
            with_impersonation(self.authorizer),
            self.inflight.middleware(),
            with_authorization(self.authorizer),
        ]
        # the body limit is enforced per request by the REST handler so that it answers a Status
        app = web.Application(middlewares=middlewares, client_max_size=1 << 40)
        # every path, line breaks in a name (%0A) included: `.` alone would leave those to aiohttp's bare 404
        app.router.add_route("*", "/{tail:(?s:.*)}", self.dispatch)
        app.on_response_prepare.append(context_headers)
        app.on_startup.append(self._on_startup)
        app.on_cleanup.append(self._on_cleanup)
        return app

    async def _on_startup(self, app: web.Application) -> None:
        await self.client.connect()
        # KMS providers prime their write state before the caches list what they must decrypt
        await self.encryption.start()
        self.registry.start()
        await self.authorizer.start()
        await self.admission.start()
        path = self.config.encryption.provider_config
        if path is not None and self.config.encryption.automatic_reload:
            apiserver_id = self.metrics.apiserver_id
            reloader = EncryptionConfigReloader(
                path, self.encryption, self.metrics.record_transformation,
                lambda ok: self.metrics.record_encryption_reload(ok, apiserver_id), self.registry.relist_unreadable,
                kms_settings=self._kms_settings)
            self._reloader = asyncio.create_task(reloader.run(), name="encryption-config-reload")
        self._bootstrap = asyncio.create_task(self._bootstrap_then_control(), name="bootstrap")

    async def _bootstrap_then_control(self) -> None:
        try:
            await ensure_system_objects(self.registry)
        except Exception:
            # without its system objects and controllers the replica is useless: say why and stop
            log.exception("creating the system objects failed")
            raise
        self.controllers.start()

    async def shutdown(self) -> None:
        """The graceful part of a stop, before the listener closes: unready, drain, hand work to peers."""
        self.stopping.set()
        await asyncio.sleep(self.config.coordination.shutdown_delay_duration)
        self._bootstrap.cancel()
        await self.controllers.stop()

    async def _on_cleanup(self, app: web.Application) -> None:
        await self.admission.stop()
        await self.authorizer.stop()
        if self._reloader:
            self._reloader.cancel()
        await self.registry.stop()
        await self.encryption.stop()
        await self.client.close()

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        info: RequestInfo = request_info(request)
        if info.is_resource_request:
            return await self.rest.handle(request, info)
        return await self._non_resource(request, info)

    async def _non_resource(self, request: web.Request, info: RequestInfo) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if request.method not in ("GET", "HEAD"):
            if path in ("/version", "/api", "/apis", "/healthz", "/livez", "/readyz", "/metrics"):
                raise errors.method_not_allowed("the server does not allow this method on the requested resource")
            raise NOT_FOUND
        for endpoint, checks in (("healthz", self.healthz_checks), ("livez", self.checks),
                                 ("readyz", self.ready_checks)):
            if path == f"/{endpoint}" or path.startswith(f"/{endpoint}/"):
                return await serve_checks(request, endpoint, checks, path[len(endpoint) + 2:])
        openid = self.openid.serve(path) if self.openid else None
        if openid is not None:
            return openid
        if path == "/version":
            return respond(request, version_info())
        if path == "/metrics":
            return web.Response(body=generate_latest(self.metrics.registry),
                                headers={"Content-Type": CONTENT_TYPE_LATEST})
        if path.startswith("/openapi/"):
            return openapi.serve(request, self.catalogue, path)
        aggregated = discovery.aggregated_version(request.headers.get("Accept"))
        if aggregated and path in ("/api", "/apis"):
            return web.Response(body=orjson.dumps(discovery.aggregated_list(self.catalogue, path == "/api",
                                                                            aggregated)),
                                headers={"Content-Type": discovery.aggregated_content_type(aggregated)})
        document = self._discovery(path)
        if document is None:
            raise NOT_FOUND
        return respond(request, document)

    def _discovery(self, path: str) -> dict | None:
        parts = path.strip("/").split("/")
        if parts == ["api"]:
            return discovery.api_versions(self.server_address)
        if parts == ["api", "v1"]:
            return discovery.api_resource_list(self.catalogue, "", "v1")
        if parts == ["apis"]:
            return discovery.api_group_list(self.catalogue)
        if len(parts) == 2 and parts[0] == "apis":
            return discovery.api_group(self.catalogue, parts[1])
        if len(parts) == 3 and parts[0] == "apis":
            return discovery.api_resource_list(self.catalogue, parts[1], parts[2])
        return None
