import Foundation

/// RFC 3339 timestamps as Kubernetes writes them: `Time` with whole seconds, `MicroTime` with six
/// fractional digits, always in UTC.
public enum KubernetesTime {
    public static func format(_ date: Date, fractionalDigits: Int = 0) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        var components = tm()
        var time = time_t(whole)
        gmtime_r(&time, &components)
        var text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(components.tm_year) + 1900, Int(components.tm_mon) + 1,
            Int(components.tm_mday), Int(components.tm_hour), Int(components.tm_min), Int(components.tm_sec))
        if fractionalDigits > 0 {
            let scale = pow(10.0, Double(fractionalDigits))
            let fraction = min(Int(((seconds - whole) * scale).rounded(.down)), Int(scale) - 1)
            text += "." + String(format: "%0\(fractionalDigits)d", fraction)
        }
        return text + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `nil` for anything else.
    public static func parse(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 20 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[start..<(start + length)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"), utf8[13] == UInt8(ascii: ":")
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 {
                fraction += Double(utf8[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < utf8.count else { return nil }
        var offset = 0
        switch utf8[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == utf8.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let hours = number(index + 1, 2), let minutes = number(index + 4, 2), index + 6 == utf8.count
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (utf8[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        var components = tm()
        components.tm_year = Int32(year - 1900)
        components.tm_mon = Int32(month - 1)
        components.tm_mday = Int32(day)
        components.tm_hour = Int32(hour)
        components.tm_min = Int32(minute)
        components.tm_sec = Int32(second)
        let epoch = timegm(&components)
        return Date(timeIntervalSince1970: Double(epoch - offset) + fraction)
    }
}

extension Date: JSONRepresentable {
    public init?(jsonValue: JSONValue) {
        guard case .string(let text) = jsonValue, let date = KubernetesTime.parse(text) else { return nil }
        self = date
    }

    /// `Time` form (whole seconds). Use `KubernetesTime.format(_:fractionalDigits: 6)` for `MicroTime`.
    public var jsonValue: JSONValue { .string(KubernetesTime.format(self)) }
}
