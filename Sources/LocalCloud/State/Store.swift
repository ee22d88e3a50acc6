import Foundation
import GRDB

/// The local cloud's persistent state: one SQLite database (GRDB) under the data directory.
/// Every resource is a row holding its JSON wire form; pending resources carry the time they
/// turn ready. All calls block: run them off the event loops and the cooperative pool.
final class Store: Sendable {
    private let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // WAL with synchronous=NORMAL: a crash of the process loses nothing committed, and a
        // write costs no fsync of its own (a power cut may lose the last few; fine for a local cloud).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE resource (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        id TEXT NOT NULL,
                        body BLOB NOT NULL,
                        ready_at REAL,
                        UNIQUE(kind, id)
                    );
                    CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    CREATE TABLE device (block_id TEXT PRIMARY KEY, path TEXT NOT NULL);
                    """)
        }
        // The TLS material of load balancers, apart from their wire form so that no API answer
        // can carry the private key.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE load_balancer_tls (
                        load_balancer_id TEXT PRIMARY KEY,
                        private_key TEXT NOT NULL,
                        certificate TEXT NOT NULL,
                        chain TEXT NOT NULL
                    );
                    """)
        }
        try migrator.migrate(queue)
    }

    /// Runs `body` in one write transaction; everything it changes commits or nothing does.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.write(body)
    }

    // MARK: Resources

    static func insert<R: StoredResource>(_ resource: R, readyAt: Date?, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO resource (kind, id, body, ready_at) VALUES (?, ?, ?, ?)",
            arguments: [R.kind, resource.id, try WireCoding.encoder.encode(resource),
                        readyAt?.timeIntervalSince1970])
    }

    static func update<R: StoredResource>(_ resource: R, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE resource SET body = ? WHERE kind = ? AND id = ?",
            arguments: [try WireCoding.encoder.encode(resource), R.kind, resource.id])
    }

    static func delete<R: StoredResource>(_ type: R.Type, id: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM resource WHERE kind = ? AND id = ?", arguments: [R.kind, id])
    }

    /// The resource, turned ready first if its time has come; nil if unknown.
    static func find<R: StoredResource>(_ type: R.Type, id: String, _ db: Database) throws -> R? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT seq, body, ready_at FROM resource WHERE kind = ? AND id = ?",
            arguments: [R.kind, id])
        else { return nil }
        return try materialize(R.self, row, db)
    }

    /// Like ``find(_:id:_:)`` but a missing resource is a 404.
    static func require<R: StoredResource>(_ type: R.Type, id: String, _ db: Database) throws -> R {
        guard let resource = try find(R.self, id: id, db) else { throw R.notFound(id) }
        return resource
    }

    /// Every resource of a kind, oldest first.
    static func all<R: StoredResource>(_ type: R.Type, _ db: Database) throws -> [R] {
        try Row.fetchAll(
            db, sql: "SELECT seq, body, ready_at FROM resource WHERE kind = ? ORDER BY seq",
            arguments: [R.kind]
        ).map { try materialize(R.self, $0, db) }
    }

    /// One page of a kind, oldest first, with the cursor of the next page if there is one.
    static func page<R: StoredResource>(
        _ type: R.Type, _ pagination: Pagination, _ db: Database
    ) throws -> (items: [R], next: Int64?, total: Int) {
        let total = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM resource WHERE kind = ?", arguments: [R.kind]) ?? 0
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT seq, body, ready_at FROM resource WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?",
            arguments: [R.kind, pagination.after ?? 0, pagination.perPage + 1])
        let items = try rows.prefix(pagination.perPage).map { try materialize(R.self, $0, db) }
        let next: Int64? = rows.count > pagination.perPage ? rows[pagination.perPage - 1]["seq"] : nil
        return (items, next, total)
    }

    private static func materialize<R: StoredResource>(_ type: R.Type, _ row: Row, _ db: Database) throws -> R {
        let body: Data = row["body"]
        var resource = try WireCoding.decoder.decode(R.self, from: body)
        if let readyAt: Double = row["ready_at"], readyAt <= Date().timeIntervalSince1970 {
            resource.becomeReady()
            let seq: Int64 = row["seq"]
            try db.execute(
                sql: "UPDATE resource SET body = ?, ready_at = NULL WHERE seq = ?",
                arguments: [try WireCoding.encoder.encode(resource), seq])
        }
        return resource
    }

    // MARK: Counters and devices

    /// Next value (from 1) of a named counter.
    static func next(_ counter: String, _ db: Database) throws -> Int {
        try db.execute(
            sql: """
                INSERT INTO counter (name, value) VALUES (?, 1)
                ON CONFLICT(name) DO UPDATE SET value = value + 1
                """, arguments: [counter])
        return try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = ?", arguments: [counter]) ?? 1
    }

    // MARK: Load balancers' TLS material

    static func setTLS(_ material: BalancerSpec.TLSMaterial?, loadBalancer id: String, _ db: Database) throws {
        if let material {
            try db.execute(
                sql: "INSERT OR REPLACE INTO load_balancer_tls (load_balancer_id, private_key, certificate, chain) VALUES (?, ?, ?, ?)",
                arguments: [id, material.privateKey, material.certificate, material.chain])
        } else {
            try db.execute(sql: "DELETE FROM load_balancer_tls WHERE load_balancer_id = ?", arguments: [id])
        }
    }

    static func allTLS(_ db: Database) throws -> [String: BalancerSpec.TLSMaterial] {
        var result: [String: BalancerSpec.TLSMaterial] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM load_balancer_tls") {
            result[row["load_balancer_id"]] = .init(privateKey: row["private_key"], certificate: row["certificate"], chain: row["chain"])
        }
        return result
    }

    static func devicePath(block id: String, _ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT path FROM device WHERE block_id = ?", arguments: [id])
    }

    static func setDevicePath(_ path: String?, block id: String, _ db: Database) throws {
        if let path {
            try db.execute(
                sql: "INSERT OR REPLACE INTO device (block_id, path) VALUES (?, ?)", arguments: [id, path])
        } else {
            try db.execute(sql: "DELETE FROM device WHERE block_id = ?", arguments: [id])
        }
    }
}
