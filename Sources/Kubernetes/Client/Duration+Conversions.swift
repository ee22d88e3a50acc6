import NIOCore

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(Int64(duration.nanoseconds))
    }
}

extension Duration {
    var nanoseconds: Double {
        Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9
    }

    var seconds: Double { nanoseconds / 1e9 }
}
