import CloudAPI

/// Every Service annotation the service controller reads or writes, each declared once with
/// its type and default. `docs/annotations.md` is rendered from ``all`` (see
/// ``AnnotationDocumentation``); Mooring's keys are `loadbalancer.mooring.dev/<name>`, Vultr's
/// `service.beta.kubernetes.io/vultr-loadbalancer-<name>`, and either may be used.
public enum LoadBalancerAnnotations {
    // MARK: Lifecycle and identity

    public static let create = Annotation<Bool>(
        "create", type: "bool", default: true, defaultDescription: "`true`",
        summary: "`false` leaves the Service alone: no load balancer is created, changed or deleted, and no finalizer is added.",
        parse: Annotation<Bool>.bool)

    public static let id = Annotation<String>(
        "id", type: "load balancer id", default: "", defaultDescription: "written after create", managed: true,
        summary: "The id of the Service's load balancer. Written by the controller right after it creates one (Vultr's CCM writes the same key, so Services it managed are adopted); the controller finds the load balancer by it first.",
        parse: Annotation<String>.nonEmpty)

    public static let label = Annotation<String>(
        "label", type: "string (1–255 characters)", default: "", defaultDescription: "`a` + the Service UID without dashes, 32 characters",
        summary: "The load balancer's label. Services carrying the same label share **one** load balancer (as with Vultr's CCM): its forwarding and firewall rules are the union of theirs, every one of them publishes its address, it is created by the first and deleted with the last, and each Service's rules leave with it. A Service whose frontend port is already forwarded elsewhere by another member, or whose load-balancer-wide settings (health check, algorithm, sticky sessions, PROXY protocol, TLS, VPC, node count, HTTP/2, HTTP/3, timeout, `auto-ssl`) differ from the members', is refused with a `SharedLoadBalancerConflict` Warning event and the load balancer is left as it was (Vultr's CCM lets the last writer win). A load balancer is always created under the UID-derived label and renamed once its id is recorded and it is active, so a crash between the create and the record never leaves a load balancer the controller cannot find.",
        parse: { raw in raw.isEmpty || raw.count > 255 ? .failure(.init("must be 1–255 characters")) : .success(raw) })

    public static let hostname = Annotation<String>(
        "hostname", type: "DNS name", default: "", defaultDescription: "none",
        summary: "When set, `status.loadBalancer.ingress` carries only this hostname (no IP), so in-cluster clients go through the load balancer instead of short-cutting to the Service (hairpin, PROXY protocol).",
        parse: Annotation<String>.dnsName)

    public static let ipMode = Annotation<String>(
        "ip-mode", vultr: false, type: "`Proxy` or `VIP`", default: "",
        defaultDescription: "`Proxy` with `proxy-protocol` or an `https` frontend terminating TLS, else `VIP`",
        summary: "The `ipMode` published with each ingress address (KEP-1860). `Proxy` makes kube-proxy send in-cluster clients through the load balancer (its health checks, firewall rules and logs see them) instead of short-cutting to the Service's endpoints; `VIP` lets kube-proxy answer the address itself. Mooring's own key: Vultr's CCM publishes no `ipMode`.",
        parse: { Annotation<String>.choice($0, ["proxy": "Proxy", "vip": "VIP"]) })

    // MARK: Forwarding

    public static let `protocol` = Annotation<LoadBalancer.TrafficProtocol>(
        "protocol", type: "`tcp`, `http`, `https` or `udp`", default: .tcp, defaultDescription: "`tcp`",
        summary: "Frontend protocol of every forwarding rule (ports listed in `https-ports` use `https`). Service ports with `protocol: UDP` always get `udp` rules.",
        parse: { Annotation<LoadBalancer.TrafficProtocol>.choice($0, ["tcp": .tcp, "http": .http, "https": .https, "udp": .udp]) })

    public static let backendProtocol = Annotation<LoadBalancer.TrafficProtocol?>(
        "backend-protocol", type: "`tcp`, `http`, `https` or `udp`", default: nil, defaultDescription: "the frontend protocol",
        summary: "Backend protocol of every forwarding rule. Combinations the cloud does not offer are corrected as Vultr's CCM does: `tcp`/`udp` frontends keep their own protocol, `http(s)` frontends take `http` or `https`.",
        parse: { raw in
            Annotation<LoadBalancer.TrafficProtocol?>.choice(raw, ["tcp": .tcp, "http": .http, "https": .https, "udp": .udp])
        })

    public static let httpsPorts = Annotation<Set<Int>>(
        "https-ports", type: "comma-separated ports", default: [], defaultDescription: "none",
        summary: "Service ports whose rules use `https` at the frontend (TLS terminated with the `ssl` certificate), or plain `tcp` with `ssl-pass-through`.",
        parse: Annotation<Set<Int>>.ports)

    public static let ssl = Annotation<String>(
        "ssl", type: "Secret name", default: "", defaultDescription: "none",
        summary: "A `kubernetes.io/tls` Secret (`tls.crt`, `tls.key`) in the Service's namespace, installed on the load balancer for `https` frontends. Re-applied when the Secret's content changes; a missing Secret is a Warning event and a retry.",
        parse: Annotation<String>.nonEmpty)

    public static let sslPassThrough = Annotation<Bool>(
        "ssl-pass-through", type: "bool", default: false, defaultDescription: "`false`",
        summary: "Pass TLS on `https-ports` through to the backends as `tcp` instead of terminating it.",
        parse: Annotation<Bool>.bool)

    public static let sslRedirect = Annotation<Bool>(
        "ssl-redirect", type: "bool", default: false, defaultDescription: "`false`",
        summary: "Redirect `http` frontends to `https`.", parse: Annotation<Bool>.bool)

    public static let http2 = Annotation<Bool>(
        "http2", type: "bool", default: false, defaultDescription: "`false`",
        summary: "Offer HTTP/2 on `https` frontends.", parse: Annotation<Bool>.bool)

    public static let http3 = Annotation<Bool>(
        "http3", type: "bool", default: false, defaultDescription: "`false`",
        summary: "Offer HTTP/3 on `https` frontends.", parse: Annotation<Bool>.bool)

    public static let proxyProtocol = Annotation<Bool>(
        "proxy-protocol", type: "bool", default: false, defaultDescription: "`false`",
        summary: "Send the PROXY protocol header to the backends.", parse: Annotation<Bool>.bool)

    public static let timeout = Annotation<Int>(
        "timeout", type: "seconds (1–3600)", default: 600, defaultDescription: "`600`",
        summary: "Idle connection timeout.", parse: { Annotation<Int>.integer($0, in: 1...3600) })

    public static let algorithm = Annotation<LoadBalancer.BalancingAlgorithm>(
        "algorithm", type: "`roundrobin` or `leastconn` (Vultr's `round_robin`, `least_connections` too)", default: .roundRobin,
        defaultDescription: "`roundrobin`", summary: "How the load balancer picks a backend.",
        parse: {
            Annotation<LoadBalancer.BalancingAlgorithm>.choice($0, [
                "roundrobin": .roundRobin, "round_robin": .roundRobin, "leastconn": .leastConnections,
                "least_connections": .leastConnections,
            ])
        })

    public static let stickySessionEnabled = Annotation<Bool>(
        "sticky-session-enabled", type: "`on` or `off`", default: false, defaultDescription: "`off`",
        summary: "Sticky sessions by cookie; needs `sticky-session-cookie-name`.", parse: Annotation<Bool>.bool)

    public static let stickySessionCookieName = Annotation<String>(
        "sticky-session-cookie-name", type: "cookie name", default: "", defaultDescription: "none",
        summary: "The cookie that pins a client to a backend when sticky sessions are on.",
        parse: { raw in
            raw.isEmpty || raw.contains(where: { $0 == ";" || $0 == "=" || $0 == "," || $0.isWhitespace })
                ? .failure(.init("'\(raw)' is not a cookie name")) : .success(raw)
        })

    public static let nodeCount = Annotation<Int>(
        "node-count", type: "odd integer 1–99", default: 1, defaultDescription: "`1`",
        summary: "How many load balancer nodes the cloud runs.",
        parse: { raw in
            Annotation<Int>.integer(raw, in: 1...99).flatMap { $0 % 2 == 1 ? .success($0) : .failure(.init("\($0) is not odd")) }
        })

    public static let vpc = Annotation<String>(
        "vpc", type: "VPC id, `true` or `false`", default: "", defaultDescription: "none",
        summary: "Reach the backends through a VPC. A VPC id (a UUID) names it; `false` means none; any other value (`true`) means the VPC (`network-v2-id`) of the instance the controller runs on, read from the metadata service (`--metadata-url`), as Vultr's CCM does. When the metadata service cannot be read the Service gets a `SyncLoadBalancerFailed` Warning and is retried.",
        parse: Annotation<String>.nonEmpty)

    public static let privateNetwork = Annotation<String>(
        "private-network", type: "VPC id, `true` or `false`", default: "", defaultDescription: "none",
        summary: "Deprecated twin of `vpc` (Vultr's older name), read the same way. Setting both to different values is refused.",
        parse: Annotation<String>.nonEmpty)

    // MARK: Access

    public static let firewallRules = Annotation<[LoadBalancer.FirewallRule]>(
        "firewall-rules", type: "`source,port` pairs separated by `;` (source: CIDR or `cloudflare`)", default: [],
        defaultDescription: "none (open to all)",
        summary: "Who may reach which frontend port, e.g. `10.0.0.0/8,80;cloudflare,443`. Added to the rules `spec.loadBalancerSourceRanges` produces (one per range and Service port).",
        parse: Annotation<[LoadBalancer.FirewallRule]>.firewallRules)

    public static let firewallRulesConfigMap = Annotation<String>(
        "firewall-rules-cm", type: "ConfigMap name", default: "", defaultDescription: "none",
        summary: "A ConfigMap in the Service's namespace whose key `firewallRules` holds YAML lists `v4:` and `v6:` of `{source, port}` (source a CIDR or `cloudflare`). When set it replaces `firewall-rules`; `spec.loadBalancerSourceRanges` still adds its rules. The ConfigMap is watched: an edit reaches the load balancer within seconds. A missing ConfigMap or key, or a bad entry, is a `SyncLoadBalancerFailed` Warning naming it, and the load balancer is left as it was.",
        parse: Annotation<String>.nonEmpty)

    public static let autoSSL = Annotation<String>(
        "auto-ssl", type: "Secret name", default: "", defaultDescription: "none",
        summary: "A Secret in the Service's namespace with keys `domainZone` (e.g. `example.com`) and `subDomain` (e.g. `shop`, may be empty): the cloud issues and renews a certificate for that name (sent as `auto_ssl{domain_zone, domain_sub}`) for `https` frontends, instead of the `ssl` Secret. A missing Secret or `domainZone` is a `SyncLoadBalancerFailed` Warning.",
        parse: Annotation<String>.nonEmpty)

    // MARK: Health check

    public static let healthCheckProtocol = Annotation<LoadBalancer.TrafficProtocol>(
        "healthcheck-protocol", type: "`tcp`, `http` or `https`", default: .http,
        defaultDescription: "`http` (`tcp` when `healthcheck-port` is set without a path)",
        summary: "How backends are probed.",
        parse: { Annotation<LoadBalancer.TrafficProtocol>.choice($0, ["tcp": .tcp, "http": .http, "https": .https]) })

    public static let healthCheckPath = Annotation<String>(
        "healthcheck-path", type: "path starting with `/`", default: "/healthz", defaultDescription: "`/healthz`",
        summary: "Path probed by `http(s)` health checks.",
        parse: { raw in raw.hasPrefix("/") ? .success(raw) : .failure(.init("'\(raw)' does not start with /")) })

    public static let healthCheckPort = Annotation<Int>(
        "healthcheck-port", type: "port 1–65535", default: 10256,
        defaultDescription: "`spec.healthCheckNodePort` with `externalTrafficPolicy: Local`, else kube-proxy's `10256`",
        summary: "Node port probed by the health check.", parse: { Annotation<Int>.integer($0, in: 1...65535) })

    public static let healthCheckInterval = Annotation<Int>(
        "healthcheck-check-interval", type: "seconds (1–300)", default: 15, defaultDescription: "`15`",
        summary: "Seconds between probes.", parse: { Annotation<Int>.integer($0, in: 1...300) })

    public static let healthCheckResponseTimeout = Annotation<Int>(
        "healthcheck-response-timeout", type: "seconds (1–300)", default: 5, defaultDescription: "`5`",
        summary: "Seconds a probe may take.", parse: { Annotation<Int>.integer($0, in: 1...300) })

    public static let healthCheckUnhealthyThreshold = Annotation<Int>(
        "healthcheck-unhealthy-threshold", type: "count (1–15)", default: 5, defaultDescription: "`5`",
        summary: "Failed probes before a backend is taken out.", parse: { Annotation<Int>.integer($0, in: 1...15) })

    public static let healthCheckHealthyThreshold = Annotation<Int>(
        "healthcheck-healthy-threshold", type: "count (1–15)", default: 5, defaultDescription: "`5`",
        summary: "Passed probes before a backend is put back.", parse: { Annotation<Int>.integer($0, in: 1...15) })

    // MARK: Bookkeeping

    public static let appliedFingerprint = Annotation<String>(
        "applied-fingerprint", vultr: false, type: "hex digest", default: "", defaultDescription: "written after each change",
        managed: true,
        summary: "A digest of the settings the cloud does not report back (the TLS certificate and key, and HTTP/2, HTTP/3 and timeout where the backend omits them), so a rotated Secret is re-applied and nothing else is re-sent at rest. Reveals nothing about the key.",
        parse: Annotation<String>.nonEmpty)

    /// Every declaration, in documentation order.
    public static let all: [AnnotationInfo] = [
        create.info, id.info, label.info, hostname.info, ipMode.info,
        `protocol`.info, backendProtocol.info, httpsPorts.info, ssl.info, sslPassThrough.info, sslRedirect.info,
        http2.info, http3.info, proxyProtocol.info, timeout.info, algorithm.info, stickySessionEnabled.info,
        stickySessionCookieName.info, nodeCount.info, vpc.info, privateNetwork.info,
        firewallRules.info, firewallRulesConfigMap.info, autoSSL.info,
        healthCheckProtocol.info, healthCheckPath.info, healthCheckPort.info, healthCheckInterval.info,
        healthCheckResponseTimeout.info, healthCheckUnhealthyThreshold.info, healthCheckHealthyThreshold.info,
        appliedFingerprint.info,
    ]

    /// Vultr's key written before `service.beta.kubernetes.io/vultr-loadbalancer-id` (older
    /// releases of Vultr's CCM); read, never written.
    public static let legacyIDKey = "kubernetes.vultr.com/load-balancer-id"
}
