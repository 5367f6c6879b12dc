#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to fd 1 and fd 2. Swift 6 forbids touching C's global `stderr`,
/// and the stages print little enough that buffering buys nothing.
public enum StandardStreams {
    public static func writeOut(_ text: String) throws(MemError) {
        if !writeAll(fd: 1, text) {
            throw MemError(.ioError, "cannot write to standard output: \(lastErrorText())")
        }
    }

    /// Reports go to stderr prefixed with the tool's name, one line each.
    public static func report(_ tool: String, _ line: String) {
        _ = writeAll(fd: 2, "\(tool): \(line)\n")
    }

    @discardableResult
    public static func writeAll(fd: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            writeAll(fd: fd, bytes: UnsafeRawBufferPointer(buffer))
        }
    }

    @discardableResult
    public static func writeAll(fd: Int32, bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// Reads a whole descriptor. `limit` bounds memory for untrusted input.
    public static func readAll(fd: Int32, limit: Int = Int.max) throws(MemError) -> [UInt8] {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MemError(.ioError, "read failed: \(lastErrorText())")
            }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
            if data.count > limit {
                throw MemError(.dataError, "input is larger than \(HumanUnits.size(limit))")
            }
        }
        return data
    }

    public static func readStdin(limit: Int = Int.max) throws(MemError) -> [UInt8] {
        try readAll(fd: 0, limit: limit)
    }
}

public func lastErrorText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
