/// Reading a profile from disk: the file I/O `ProfileDocument` itself stays free of.
public enum ProfileFile {
    /// The profile's bytes at `path`, checked to be a profile mem-merge would accept (see
    /// `ProfileDocument.init(validating:)`); nil when there is no such file.
    public static func readBytes(path: String) throws(MemError) -> [UInt8]? {
        guard let bytes = try FileSystem.readIfPresent(path, limit: 16 << 20) else { return nil }
        _ = try ProfileDocument(validating: bytes, name: path)
        return bytes
    }

    /// Reads and validates the profile at `path`; nil when there is no such file.
    public static func read(path: String) throws(MemError) -> ProfileDocument? {
        try readBytes(path: path).map { ProfileDocument(bytes: $0) }
    }
}
