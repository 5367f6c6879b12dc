/// Sizes as people read them in messages: "larger than 1 MiB", not "1048576 bytes".
public enum HumanUnits {
    /// `bytes` in the largest binary unit that divides it evenly (the limits are powers
    /// of two), else to one decimal: 16777216 → "16 MiB", 1536 → "1.5 KiB", 300 → "300 bytes".
    public static func size(_ bytes: Int) -> String {
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (unit, name) in units where bytes >= unit {
            if bytes % unit == 0 { return "\(bytes / unit) \(name)" }
            let tenths = (bytes * 10 + unit / 2) / unit
            return "\(tenths / 10).\(tenths % 10) \(name)"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}
