import CloudAPI
import Testing

/// The API's and HTTP's date forms, read without Foundation's formatters.
@Suite struct InternetDateTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-01-02T03:04:05+00:00", 1_767_323_045),
        ("2026-01-02T04:04:05+01:00", 1_767_323_045),
        ("2026-01-01T22:34:05-04:30", 1_767_323_045),
        ("2026-01-02T03:04:05.123456Z", 1_767_323_045),
        ("2024-02-29T12:00:00Z", 1_709_208_000),
    ])
    func rfc3339(_ text: String, _ seconds: Int64) {
        #expect(InternetDate.rfc3339(text) == seconds)
    }

    @Test(arguments: ["", "2026-01-02", "2026-01-02T03:04:05", "2026-13-02T03:04:05Z", "2025-02-29T00:00:00Z",
                      "2026-01-02T24:00:00Z", "2026-01-02T03:04:05+0100", "2026-01-02T03:04:05Zjunk", "٢٠٢٦-01-02T03:04:05Z"])
    func notRFC3339(_ text: String) {
        #expect(InternetDate.rfc3339(text) == nil)
    }

    @Test func httpDate() {
        #expect(InternetDate.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(InternetDate.httpDate("Wed, 21 Oct 2015 07:28:00 GMT") == 1_445_412_480)
        #expect(InternetDate.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(InternetDate.httpDate("Sun, 06 Nov 1994 08:49:37 UTC") == nil)
        #expect(InternetDate.httpDate("Sun, 06 Foo 1994 08:49:37 GMT") == nil)
    }
}
