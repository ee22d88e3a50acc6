import NIOCore

/// The PROXY protocol header (HAProxy's spec, versions 1 and 2) a backend reads first to learn
/// the real client address. IPv4 and IPv6 TCP only; anything else is sent as `UNKNOWN`/`LOCAL`.
enum ProxyProtocolHeader {
    /// The v2 signature: `\r\n\r\n\0\r\nQUIT\n`.
    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    static func encode(version: Int, source: SocketAddress?, destination: SocketAddress?) -> ByteBuffer {
        version == 2 ? v2(source, destination) : v1(source, destination)
    }

    private static func v1(_ source: SocketAddress?, _ destination: SocketAddress?) -> ByteBuffer {
        let line: String
        switch (source, destination) {
        case (.v4?, .v4?), (.v6?, .v6?):
            let family = if case .v4 = source { "TCP4" } else { "TCP6" }
            line = "PROXY \(family) \(source!.ipAddress!) \(destination!.ipAddress!) \(source!.port!) \(destination!.port!)\r\n"
        default:
            line = "PROXY UNKNOWN\r\n"
        }
        return ByteBuffer(string: line)
    }

    private static func v2(_ source: SocketAddress?, _ destination: SocketAddress?) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes(signature)
        switch (source, destination) {
        case (.v4(let s)?, .v4(let d)?):
            buffer.writeInteger(UInt8(0x21))  // version 2, PROXY
            buffer.writeInteger(UInt8(0x11))  // AF_INET, STREAM
            buffer.writeInteger(UInt16(12))
            buffer.writeInteger(UInt32(bigEndian: s.address.sin_addr.s_addr))
            buffer.writeInteger(UInt32(bigEndian: d.address.sin_addr.s_addr))
            buffer.writeInteger(UInt16(source!.port!))
            buffer.writeInteger(UInt16(destination!.port!))
        case (.v6(let s)?, .v6(let d)?):
            buffer.writeInteger(UInt8(0x21))
            buffer.writeInteger(UInt8(0x21))  // AF_INET6, STREAM
            buffer.writeInteger(UInt16(36))
            _ = withUnsafeBytes(of: s.address.sin6_addr) { buffer.writeBytes($0) }
            _ = withUnsafeBytes(of: d.address.sin6_addr) { buffer.writeBytes($0) }
            buffer.writeInteger(UInt16(source!.port!))
            buffer.writeInteger(UInt16(destination!.port!))
        default:
            buffer.writeInteger(UInt8(0x20))  // version 2, LOCAL
            buffer.writeInteger(UInt8(0x00))
            buffer.writeInteger(UInt16(0))
        }
        return buffer
    }
}
