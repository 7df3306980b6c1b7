"""kube-apiserver's flags -> ServerConfig, and every one-line ConfigError."""
from __future__ import annotations

from pathlib import Path

import pytest

from apiserver.options.authentication import AuthenticationOptions
from apiserver.options.authorization import AuthorizationOptions
from apiserver.options.coordination import CoordinationOptions
from apiserver.options.errors import ConfigError
from apiserver.options.etcd import EtcdOptions
from apiserver.options.flags import ServerConfig, parse_flags
from apiserver.options.serving import ServingOptions


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Readable stand-ins for the TLS and token files (parse_flags only checks they can be opened)."""
    out = {}
    for name in ("cert", "key", "ca", "etcd-ca", "etcd-cert", "etcd-key", "tokens"):
        path = tmp_path / name
        path.write_text(name)
        out[name] = path
    return out


@pytest.fixture
def base(files) -> list[str]:
    return ["--etcd-servers=https://127.0.0.1:2379", f"--tls-cert-file={files['cert']}",
            f"--tls-private-key-file={files['key']}"]


def test_defaults(base, files):
    config = parse_flags(base)
    assert config == ServerConfig(
        etcd=EtcdOptions(servers=("https://127.0.0.1:2379",)),
        serving=ServingOptions(tls_cert_file=files["cert"], tls_private_key_file=files["key"]))
    serving, etcd = config.serving, config.etcd
    assert (serving.secure_port, serving.bind_address, etcd.prefix, serving.tls_min_version) == \
        (6443, "0.0.0.0", "/registry", "VersionTLS12")
    assert (serving.request_timeout, serving.min_request_timeout) == (60.0, 1800.0)
    assert (serving.max_requests_inflight, serving.max_mutating_requests_inflight) == (400, 200)
    assert (etcd.default_watch_cache_size, etcd.watch_cache_sizes) == (100, {})
    assert (config.authentication.anonymous, config.authorization.modes) == (True, ("AlwaysAllow",))
    coordination = config.coordination
    assert (coordination.advertise_address, coordination.endpoint_reconciler_type,
            coordination.endpoint_lease_ttl) == ("127.0.0.1", "lease", 15.0)
    assert (etcd.cafile, etcd.certfile, etcd.keyfile, config.authentication.client_ca_file,
            config.authentication.token_auth_file) == (None, None, None, None, None)


def test_a_full_command_line(files):
    config = parse_flags([
        "--etcd-servers=https://10.0.0.1:2379,https://10.0.0.2:2379", f"--etcd-cafile={files['etcd-ca']}",
        f"--etcd-certfile={files['etcd-cert']}", f"--etcd-keyfile={files['etcd-key']}", "--etcd-prefix=/other",
        "--secure-port=7443", "--bind-address=127.0.0.2", f"--tls-cert-file={files['cert']}",
        f"--tls-private-key-file={files['key']}", f"--client-ca-file={files['ca']}",
        "--tls-min-version=VersionTLS13", "--default-watch-cache-size=50", "--watch-cache-sizes=pods#1000",
        "--request-timeout=2m", "--min-request-timeout=600", "--max-requests-inflight=10",
        "--max-mutating-requests-inflight=5", f"--token-auth-file={files['tokens']}", "--anonymous-auth=false",
        "--authorization-mode=AlwaysAllow,AlwaysDeny", "--v=4", "--etcd-compaction-interval=1m",
        "--shutdown-delay-duration=3s", "--endpoint-reconciler-type=none", "--endpoint-lease-ttl=20s",
    ])
    assert config == ServerConfig(
        etcd=EtcdOptions(servers=("https://10.0.0.1:2379", "https://10.0.0.2:2379"), cafile=files["etcd-ca"],
                         certfile=files["etcd-cert"], keyfile=files["etcd-key"], prefix="/other",
                         compaction_interval=60.0, default_watch_cache_size=50, watch_cache_sizes={"pods": 1000}),
        serving=ServingOptions(tls_cert_file=files["cert"], tls_private_key_file=files["key"], secure_port=7443,
                               bind_address="127.0.0.2", tls_min_version="VersionTLS13", request_timeout=120.0,
                               min_request_timeout=600.0, max_requests_inflight=10, max_mutating_requests_inflight=5),
        authentication=AuthenticationOptions(anonymous=False, client_ca_file=files["ca"],
                                             token_auth_file=files["tokens"]),
        authorization=AuthorizationOptions(modes=("AlwaysAllow", "AlwaysDeny")),
        coordination=CoordinationOptions(advertise_address="127.0.0.2", shutdown_delay_duration=3.0,
                                         endpoint_reconciler_type="none", endpoint_lease_ttl=20.0),
        verbosity=4,
    )


def test_space_separated_values(files):
    config = parse_flags(["--etcd-servers", "https://e:2379", "--tls-cert-file", str(files["cert"]),
                          "--tls-private-key-file", str(files["key"]), "--secure-port", "8443", "-v", "2"])
    assert (config.etcd.servers, config.serving.secure_port, config.verbosity) == (("https://e:2379",), 8443, 2)


@pytest.mark.parametrize("value, seconds", [
    ("60s", 60.0),
    ("1m", 60.0),
    ("1m30s", 90.0),
    ("2h", 7200.0),
    ("1h0m0s", 3600.0),
    ("500ms", 0.5),
    ("1.5s", 1.5),
    ("250us", 0.00025),
    ("+5s", 5.0),
])
def test_request_timeout_is_a_go_duration(base, value, seconds):
    timeout = parse_flags([*base, f"--request-timeout={value}"]).serving.request_timeout
    assert timeout == pytest.approx(seconds, abs=1e-12)


@pytest.mark.parametrize("value, message", [
    ("60", 'argument --request-timeout: time: missing unit in duration "60"'),
    ("abc", 'argument --request-timeout: time: invalid duration "abc"'),
    ("5d", 'argument --request-timeout: time: unknown unit "d" in duration "5d"'),
    ("", 'argument --request-timeout: time: invalid duration ""'),
    ("0", "--request-timeout must be positive"),
    ("0s", "--request-timeout must be positive"),
    ("-1s", "--request-timeout must be positive"),
])
def test_bad_request_timeouts(base, value, message):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, f"--request-timeout={value}"])
    assert str(caught.value) == message


@pytest.mark.parametrize("value, sizes", [
    ("pods#1000", {"pods": 1000}),
    ("pods#1000,deployments.apps#50", {"pods": 1000, "deployments.apps": 50}),
    ("Pods#5", {"pods": 5}),
    ("configmaps#0", {"configmaps": 0}),
    (" pods#1 , secrets#2 ", {"pods": 1, "secrets": 2}),
    ("pods#1,,secrets#2,", {"pods": 1, "secrets": 2}),
    ("", {}),
    ("pods#1,pods#2", {"pods": 2}),
])
def test_watch_cache_sizes(base, value, sizes):
    assert parse_flags([*base, f"--watch-cache-sizes={value}"]).etcd.watch_cache_sizes == sizes


@pytest.mark.parametrize("value, item", [
    ("pods", "pods"),
    ("pods#", "pods#"),
    ("#10", "#10"),
    ("pods#ten", "pods#ten"),
    ("pods#-1", "pods#-1"),
    ("pods#1,secrets", "secrets"),
    ("pods=10", "pods=10"),
])
def test_bad_watch_cache_sizes(base, value, item):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, f"--watch-cache-sizes={value}"])
    assert str(caught.value) == (f"argument --watch-cache-sizes: invalid value {item!r}: "
                                 f"expected resource[.group]#size")


@pytest.mark.parametrize("flag, expected", [
    ("--anonymous-auth=false", False),
    ("--anonymous-auth=False", False),
    ("--anonymous-auth=0", False),
    ("--anonymous-auth=f", False),
    ("--anonymous-auth=true", True),
    ("--anonymous-auth=TRUE", True),
    ("--anonymous-auth=1", True),
    ("--anonymous-auth", True),
])
def test_anonymous_auth(base, flag, expected):
    assert parse_flags([*base, flag]).authentication.anonymous is expected


def test_bad_anonymous_auth(base):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, "--anonymous-auth=maybe"])
    assert str(caught.value) == "argument --anonymous-auth: invalid boolean value 'maybe'"


@pytest.mark.parametrize("value, modes", [
    ("AlwaysAllow", ("AlwaysAllow",)),
    ("AlwaysDeny", ("AlwaysDeny",)),
    ("AlwaysDeny,AlwaysAllow", ("AlwaysDeny", "AlwaysAllow")),
    (" AlwaysAllow , AlwaysDeny ", ("AlwaysAllow", "AlwaysDeny")),
])
def test_authorization_modes(base, value, modes):
    assert parse_flags([*base, f"--authorization-mode={value}"]).authorization.modes == modes


@pytest.mark.parametrize("value, port", [("1", 1), ("443", 443), ("65535", 65535)])
def test_ports(base, value, port):
    assert parse_flags([*base, f"--secure-port={value}"]).serving.secure_port == port


@pytest.mark.parametrize("bind, advertise, expected", [
    ("0.0.0.0", "", "127.0.0.1"),
    ("::", "", "127.0.0.1"),
    ("127.0.0.5", "", "127.0.0.5"),
    ("0.0.0.0", "10.1.2.3", "10.1.2.3"),
    ("::1", "", "::1"),
])
def test_advertise_address(base, bind, advertise, expected):
    argv = [*base, f"--bind-address={bind}"] + ([f"--advertise-address={advertise}"] if advertise else [])
    assert parse_flags(argv).coordination.advertise_address == expected


def test_http_etcd_servers_are_accepted(files):
    config = parse_flags(["--etcd-servers=http://127.0.0.1:2379", f"--tls-cert-file={files['cert']}",
                          f"--tls-private-key-file={files['key']}"])
    assert config.etcd.servers == ("http://127.0.0.1:2379",)


# (name, argv after the valid base, the one line the operator sees)
ERRORS = [
    ("bad-etcd-url", ["--etcd-servers=127.0.0.1:2379"], "--etcd-servers: '127.0.0.1:2379' is not an http(s) URL"),
    ("bad-etcd-url-second", ["--etcd-servers=https://a:1,unix:///x"],
     "--etcd-servers: 'unix:///x' is not an http(s) URL"),
    ("blank-etcd", ["--etcd-servers= , "], "--etcd-servers must be specified"),
    ("bad-tls-version", ["--tls-min-version=VersionTLS14"],
     "--tls-min-version: unknown version 'VersionTLS14'; allowed values: VersionTLS10, VersionTLS11, VersionTLS12, "
     "VersionTLS13"),
    ("tls-version-lower", ["--tls-min-version=tls12"],
     "--tls-min-version: unknown version 'tls12'; allowed values: VersionTLS10, VersionTLS11, VersionTLS12, "
     "VersionTLS13"),
    ("port-not-number", ["--secure-port=abc"], "argument --secure-port: invalid port 'abc'"),
    ("port-too-big", ["--secure-port=65536"],
     "--secure-port 65536 must be between 1 and 65535, inclusive. It cannot be turned off with 0"),
    ("port-negative", ["--secure-port=-1"],
     "--secure-port -1 must be between 1 and 65535, inclusive. It cannot be turned off with 0"),
    ("port-zero", ["--secure-port=0"],
     "--secure-port 0 must be between 1 and 65535, inclusive. It cannot be turned off with 0"),
    ("bind-not-ip", ["--bind-address=localhost"], "--bind-address: 'localhost' is not an IP address"),
    ("advertise-not-ip", ["--advertise-address=host"], "--advertise-address: 'host' is not an IP address"),
    ("unknown-mode", ["--authorization-mode=Magic"],
     "--authorization-mode: unknown or not yet supported mode 'Magic'; "
     "supported: AlwaysAllow, AlwaysDeny, Node, ABAC, RBAC, Webhook"),
    ("unknown-mode-second", ["--authorization-mode=AlwaysAllow,magic"],
     "--authorization-mode: unknown or not yet supported mode 'magic'; "
     "supported: AlwaysAllow, AlwaysDeny, Node, ABAC, RBAC, Webhook"),
    ("repeated-mode", ["--authorization-mode=Node,AlwaysAllow,Node"],
     'authorization-mode "Node" has mode specified more than once'),
    ("abac-without-file", ["--authorization-mode=ABAC"],
     "authorization-mode ABAC's authorization policy file not passed"),
    ("policy-file-without-abac", ["--authorization-policy-file=/etc/hosts"],
     "cannot specify --authorization-policy-file without mode ABAC"),
    ("webhook-without-file", ["--authorization-mode=Webhook"],
     "authorization-mode Webhook's authorization config file not passed"),
    ("webhook-file-without-mode", ["--authorization-webhook-config-file=/etc/hosts"],
     "cannot specify --authorization-webhook-config-file without mode Webhook"),
    ("webhook-version", ["--authorization-mode=Webhook", "--authorization-webhook-config-file=/etc/hosts",
                         "--authorization-webhook-version=v2"],
     "--authorization-webhook-version: unsupported version 'v2'; supported: v1, v1beta1"),
    ("webhook-ttl", ["--authorization-webhook-cache-authorized-ttl=5 minutes"],
     "argument --authorization-webhook-cache-authorized-ttl: time: unknown unit \" minutes\" "
     "in duration \"5 minutes\""),
    ("empty-mode", ["--authorization-mode="], "--authorization-mode must name at least one mode"),
    ("bad-reconciler", ["--endpoint-reconciler-type=master-count"],
     "--endpoint-reconciler-type: unknown type 'master-count'; supported: lease, none"),
    ("short-lease-ttl", ["--endpoint-lease-ttl=1s"],
     "--endpoint-lease-ttl must be at least 2s (etcd's minimum lease TTL)"),
    ("leader-election-order", ["--leader-elect-renew-deadline=20s"],
     "leader election needs 0 < --leader-elect-retry-period < --leader-elect-renew-deadline "
     "< --leader-elect-lease-duration"),
    ("leader-election-zero-retry", ["--leader-elect-retry-period=0s"],
     "leader election needs 0 < --leader-elect-retry-period < --leader-elect-renew-deadline "
     "< --leader-elect-lease-duration"),
    ("negative-inflight", ["--max-requests-inflight=-1"], "argument --max-requests-inflight: -1 must not be negative"),
    ("bad-cache-size", ["--default-watch-cache-size=x"], "argument --default-watch-cache-size: invalid integer 'x'"),
    ("bad-verbosity", ["--v=loud"], "argument -v/--v: invalid integer 'loud'"),
    ("unknown-flag", ["--frobnicate=1"], "unrecognized arguments: --frobnicate=1"),
    ("positional", ["extra"], "unrecognized arguments: extra"),
    ("abbreviated-flag", ["--etcd-pref=/x"], "unrecognized arguments: --etcd-pref=/x"),
    ("missing-value", ["--etcd-prefix"], "argument --etcd-prefix: expected one argument"),
]


@pytest.mark.parametrize("extra, message", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_config_errors(base, extra, message):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, *extra])
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_missing_etcd_servers(files):
    with pytest.raises(ConfigError) as caught:
        parse_flags([f"--tls-cert-file={files['cert']}", f"--tls-private-key-file={files['key']}"])
    assert str(caught.value) == "--etcd-servers must be specified"


def test_nothing_at_all():
    with pytest.raises(ConfigError) as caught:
        parse_flags([])
    assert str(caught.value) == "--etcd-servers must be specified"


@pytest.mark.parametrize("argv, message", [
    ([], "--tls-cert-file and --tls-private-key-file are required: this server serves HTTPS only"),
    (["cert"], "--tls-cert-file and --tls-private-key-file must be given together"),
    (["key"], "--tls-cert-file and --tls-private-key-file must be given together"),
])
def test_serving_certificate_is_required(files, argv, message):
    flags = {"cert": f"--tls-cert-file={files['cert']}", "key": f"--tls-private-key-file={files['key']}"}
    with pytest.raises(ConfigError) as caught:
        parse_flags(["--etcd-servers=https://e:2379", *(flags[a] for a in argv)])
    assert str(caught.value) == message


@pytest.mark.parametrize("which", ["etcd-cert", "etcd-key"])
def test_etcd_client_certificate_needs_both_halves(base, files, which):
    flag = {"etcd-cert": "--etcd-certfile", "etcd-key": "--etcd-keyfile"}[which]
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, f"{flag}={files[which]}"])
    assert str(caught.value) == "--etcd-certfile and --etcd-keyfile must be given together"


@pytest.mark.parametrize("flag", ["--tls-cert-file", "--tls-private-key-file", "--client-ca-file", "--etcd-cafile",
                                  "--token-auth-file"])
def test_unreadable_files(base, tmp_path, flag):
    missing = tmp_path / "does-not-exist.pem"
    argv = [a for a in base if not a.startswith(flag + "=")] + [f"{flag}={missing}"]
    with pytest.raises(ConfigError) as caught:
        parse_flags(argv)
    assert str(caught.value) == f"{flag}: cannot read {missing}: No such file or directory"


def test_a_directory_is_not_a_readable_file(base, tmp_path):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, f"--client-ca-file={tmp_path}"])
    assert str(caught.value) == f"--client-ca-file: cannot read {tmp_path}: Is a directory"


def test_unreadable_etcd_client_files(base, files, tmp_path):
    missing = tmp_path / "nope.key"
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, f"--etcd-certfile={files['etcd-cert']}", f"--etcd-keyfile={missing}"])
    assert str(caught.value) == f"--etcd-keyfile: cannot read {missing}: No such file or directory"


def test_encryption_flags(base, files):
    config = parse_flags([*base, f"--encryption-provider-config={files['tokens']}",
                          "--encryption-provider-config-automatic-reload"])
    assert (config.encryption.provider_config, config.encryption.automatic_reload) == (files["tokens"], True)
    with pytest.raises(ConfigError, match="^--encryption-provider-config-automatic-reload must be set with "
                                          "--encryption-provider-config$"):
        parse_flags([*base, "--encryption-provider-config-automatic-reload=true"])
    with pytest.raises(ConfigError, match="^--encryption-provider-config: cannot read"):
        parse_flags([*base, f"--encryption-provider-config={files['tokens']}.missing"])
