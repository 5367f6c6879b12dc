#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// UTC timestamps without Foundation (whose date formatting pulls in ICU at start-up).
public enum Timestamp {
    /// `2026-11-24T23:49:09Z`
    public static func nowISO8601() -> String { format(time(nil), separator: "T", suffix: "Z", compact: false) }

    /// `2026-11-24T23:49:09.123456Z`: to order events against llm's `datetime_utc`, which
    /// has microseconds (a resume and the next call often share a second).
    public static func nowISO8601Microseconds() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let micros = String(Int(now.tv_nsec) / 1000)
        let fraction = String(repeating: "0", count: 6 - micros.count) + micros
        return format(now.tv_sec, separator: "T", suffix: "." + fraction + "Z", compact: false)
    }

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

    /// `2026-11-24T23:49:09Z` for a time in seconds since 1970 (a file's mtime).
    public static func iso8601(_ seconds: Int) -> String { format(time_t(seconds), separator: "T", suffix: "Z", compact: false) }

    /// Seconds since 1970 for the times the memory meets: llm's `datetime_utc`
    /// (`2026-11-24T23:57:28.159571+00:00`, or without a zone: UTC; a space may stand for
    /// the `T`) and our own `…Z`. nil for anything else. Lets the journal's times and
    /// llm's be compared ("the present wins") whatever their spelling.
    public static func seconds(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var n = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard b.count >= 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20 || b[10] == 0x74,
              b[13] == 0x3A, b[16] == 0x3A,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                fraction += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < b.count {
            if b[i] == 0x5A || b[i] == 0x7A {
                i += 1
            } else if b[i] == 0x2B || b[i] == 0x2D, let h = number((i + 1)..<(i + 3)) {
                var m = 0
                var end = i + 3
                if end < b.count, b[end] == 0x3A { end += 1 }
                if let minutes = number(end..<(end + 2)) { m = minutes; end += 2 }
                offset = (h * 3600 + m * 60) * (b[i] == 0x2D ? -1 : 1)
                i = end
            }
            guard i == b.count else { return nil }
        }
        // Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }
}
