extension String {
    /// Trims spaces, tabs and newlines (CR and LF) from both ends.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    /// One line: whitespace runs (newlines included) become one space, control
    /// characters go, and the ends are trimmed — how an op's text, a journal snippet or a
    /// message quotes text that may span lines.
    public func singleLine() -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = true
            } else if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                continue
            } else {
                if pendingSpace, !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// At most `limit` characters (Unicode scalars): a longer text is cut and ends in "…".
    public func shortened(to limit: Int) -> String {
        let scalars = unicodeScalars
        guard scalars.count > limit else { return self }
        return String(String.UnicodeScalarView(scalars.prefix(max(0, limit - 1)))) + "…"
    }

    /// At most `limit` characters (Unicode scalars), cut at the last word boundary that
    /// fits and ending in "…", so that a bullet too long to store keeps its first words
    /// whole instead of being lost (no fact is dropped for lack of room). A first word
    /// longer than the limit is cut inside it; punctuation left dangling at the cut goes.
    public func shortenedAtWord(to limit: Int) -> String {
        let scalars = Array(unicodeScalars)
        guard scalars.count > limit else { return self }
        guard limit > 1 else { return String(String.UnicodeScalarView(scalars.prefix(limit))) }
        let room = limit - 1  // the "…"
        // The cut goes before the last space within room, or at room when the text
        // breaks there anyway (the next scalar is a space).
        var end = room
        if !scalars[room].properties.isWhitespace,
           let space = scalars[..<room].lastIndex(where: { $0.properties.isWhitespace }) {
            end = space
        }
        let dangling: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace || ",;:-–—(/&".unicodeScalars.contains($0) }
        while end > 0, dangling(scalars[end - 1]) { end -= 1 }
        if end == 0 { end = room }
        return String(String.UnicodeScalarView(scalars[..<end])) + "…"
    }
}
