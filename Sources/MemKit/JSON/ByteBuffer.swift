#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable byte buffer written through a raw pointer. mem-extract prints tens of MB
/// of JSON on a full read; appending to `[UInt8]` an escape at a time pays a uniqueness
/// and capacity check per byte, here one capacity check per string.
public struct ByteBuffer: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    public var isEmpty: Bool { count == 0 }

    /// A copy of the bytes written so far.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws(MemError) -> T) throws(MemError) -> T {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    public mutating func removeAll() { count = 0 }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: start, count: count)
        start.deallocate()
        start = larger
        capacity = grown
    }

    public mutating func append(_ byte: UInt8) {
        reserve(1)
        start[count] = byte
        count += 1
    }

    public mutating func append(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount)
        (start + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    /// `value` as a JSON string literal, or `null`.
    public mutating func appendJSONString(_ value: String?) {
        guard var value else { append("null"); return }
        value.withUTF8 { utf8 in
            reserve(JSONValue.escapedCapacity(utf8.count))
            count += JSONValue.writeEscaped(utf8, to: start + count)
        }
    }
}
