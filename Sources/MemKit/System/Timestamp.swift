#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// UTC timestamps without Foundation (whose date formatting pulls in ICU at start-up).
public enum Timestamp {
    /// `2026-11-24T23:49:09Z`
    public static func nowISO8601() -> String { format(time(nil), separator: "T", suffix: "Z", compact: false) }

    /// `20261124T234909Z`, for file names that sort by time.
    public static func nowCompact() -> String { format(time(nil), separator: "T", suffix: "Z", compact: true) }

    static func format(_ seconds: time_t, separator: String, suffix: String, compact: Bool) -> String {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ n: Int32, _ width: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let date = [pad(parts.tm_year + 1900, 4), pad(parts.tm_mon + 1), pad(parts.tm_mday)]
        let clock = [pad(parts.tm_hour), pad(parts.tm_min), pad(parts.tm_sec)]
        if compact {
            return date.joined() + separator + clock.joined() + suffix
        }
        return date.joined(separator: "-") + separator + clock.joined(separator: ":") + suffix
    }
}
