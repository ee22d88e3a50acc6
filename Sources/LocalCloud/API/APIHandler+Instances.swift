import GRDB

extension APIHandler {
    private struct CreateInstance: Decodable {
        var region: String?
        var plan: String?
        var label: String?
        var hostname: String?
        var osId: Int?
        var tags: [String]?
        /// Vultr's field: the VPCs to attach (the first is the one the metadata reports).
        var attachVpc: [String]?
        // Local-cloud extension: fixed addresses, so that an instance can stand for a real host
        // (a Kubernetes node whose kubelet reports its own IP). Vultr ignores these fields.
        var mainIp: String?
        var internalIp: String?
        var v6MainIp: String?
    }

    func instances(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        switch (r.method, rest.count) {
        case ("GET", 0): return try list(InstanceRecord.self, key: "instances", r, db)
        case ("POST", 0): return try createInstance(r, db)
        case ("GET", 1): return .json(Wrapped("instance", try Store.require(InstanceRecord.self, id: rest[0], db)))
        case ("DELETE", 1): return try deleteInstance(rest[0], db)
        case ("POST", 2) where ["halt", "start", "reboot"].contains(rest[1]):
            var instance = try Store.require(InstanceRecord.self, id: rest[0], db)
            instance.powerStatus = rest[1] == "halt" ? "stopped" : "running"
            try Store.update(instance, db)
            return .noContent()
        case (_, 0), (_, 1): throw Self.methodNotAllowed(r)
        case (_, 2) where ["halt", "start", "reboot"].contains(rest[1]): throw Self.methodNotAllowed(r)
        default: throw Self.noSuchEndpoint(r)
        }
    }

    private func createInstance(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(CreateInstance.self)
        let region = try requireRegion(body.region)
        guard let plan = body.plan, !plan.isEmpty else { throw APIFailure(.badRequest, "missing field 'plan'") }
        let taken = try Self.takenAddresses(db)
        func requested(_ value: String?, field: String, ipv6: Bool = false) throws -> String? {
            guard let value else { return nil }
            let valid = ipv6 ? InstanceNetwork.isIPv6(value) : AddressPool.parseIPv4(value) != nil
            guard valid else { throw APIFailure(.badRequest, "field '\(field)' must be an IPv\(ipv6 ? 6 : 4) address") }
            if let owner = taken[value] {
                throw APIFailure(.conflict, "address \(value) is already used by server \(owner)")
            }
            return value
        }
        let mainIp = try requested(body.mainIp, field: "main_ip")
        let internalIp = try requested(body.internalIp, field: "internal_ip")
        let v6MainIp = try requested(body.v6MainIp, field: "v6_main_ip", ipv6: true)
        if let mainIp, mainIp == internalIp {
            throw APIFailure(.badRequest, "main_ip and internal_ip must differ")
        }
        if let vpc = body.attachVpc?.first, vpc.isEmpty || vpc.count > 64 {
            throw APIFailure(.badRequest, "field 'attach_vpc' must list VPC ids")
        }
        let n = try Store.next("instance", db)
        let fixed = Set([mainIp, internalIp].compactMap { $0 })
        func fromPool(_ pool: AddressPool) throws -> String {
            try Self.freeAddress(in: pool, from: n, taken: taken, alsoAvoiding: fixed)
        }
        let label = body.label ?? ""
        let mac = InstanceNetwork.mac(n)
        let instance = InstanceRecord(
            id: Self.newID(), label: label, hostname: body.hostname ?? (label.isEmpty ? "instance-\(n)" : label),
            region: region, plan: plan, os: "Debian 12 x64 (bookworm)", osId: body.osId ?? 2136, ram: 1024,
            disk: 25, vcpuCount: 1, mainIp: try mainIp ?? fromPool(publicPool),
            internalIp: try internalIp ?? fromPool(privatePool), v6MainIp: v6MainIp ?? Self.freeV6Address(from: n, taken: taken),
            dateCreated: Self.timestamp(), status: "pending", powerStatus: "running",
            serverStatus: "installingbooting", tags: body.tags ?? [], netmaskV4: publicPool.netmask,
            v6Network: InstanceNetwork.v6Prefix + "::", v6NetworkSize: InstanceNetwork.v6PrefixLength,
            vpcId: body.attachVpc?.first ?? InstanceNetwork.defaultVPC(region: region), macAddress: mac)
        try Store.insert(instance, readyAt: readyAt, db)
        return .json(202, Wrapped("instance", instance))
    }

    /// Every address an instance or a bare-metal server holds, with the id of its holder.
    static func takenAddresses(_ db: Database) throws -> [String: String] {
        let instances = try Store.all(InstanceRecord.self, db).flatMap { i in
            [i.mainIp, i.internalIp, i.v6MainIp].map { ($0, i.id) }
        }
        let bareMetals = try Store.all(BareMetalRecord.self, db).flatMap { b in
            [b.mainIp, b.internalIp, b.v6MainIp].map { ($0, b.id) }
        }
        return Dictionary((instances + bareMetals).filter { !$0.0.isEmpty }, uniquingKeysWith: { first, _ in first })
    }

    /// The pool's `n`th address, or the next one after it that no server holds yet (an instance
    /// created with a fixed address may hold the `n`th); a conflict once the pool is exhausted.
    static func freeAddress(in pool: AddressPool, from n: Int, taken: [String: String],
                            alsoAvoiding fixed: Set<String> = []) throws -> String {
        try freeAddress(from: n, taken: taken, alsoAvoiding: fixed) { k throws(APIFailure) in try pool.address(k) }
    }

    /// The `n`th server's IPv6 address, or the next one no server holds yet.
    static func freeV6Address(from n: Int, taken: [String: String]) -> String {
        // The IPv6 numbering never runs out: nothing here throws.
        freeAddress(from: n, taken: taken) { k throws(Never) in InstanceNetwork.v6Address(k) }
    }

    private static func freeAddress<Failure: Error>(
        from n: Int, taken: [String: String], alsoAvoiding fixed: Set<String> = [],
        nth: (Int) throws(Failure) -> String
    ) throws(Failure) -> String {
        var k = n
        while true {
            let candidate = try nth(k)
            if taken[candidate] == nil, !fixed.contains(candidate) { return candidate }
            k += 1
        }
    }

    /// Deleting an instance detaches its blocks and VFS and drops the routes through it.
    private func deleteInstance(_ id: String, _ db: Database) throws -> APIResponse {
        _ = try Store.require(InstanceRecord.self, id: id, db)
        for var block in try Store.all(BlockRecord.self, db) where block.attachedToInstance == id {
            try detachDevice(&block, db)
            try Store.update(block, db)
        }
        for attachment in try Store.all(FileSystemAttachmentRecord.self, db) where attachment.targetId == id {
            try detach(attachment, db)
        }
        for route in try Store.all(RouteRecord.self, db) where route.instanceId == id {
            try Store.delete(RouteRecord.self, id: route.id, db)
        }
        try Store.delete(InstanceRecord.self, id: id, db)
        return .noContent()
    }
}
