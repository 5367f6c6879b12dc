/// Removes secrets from text before it leaves the machine (the prompt mem-propose sends
/// to a model) or is kept or shown by the memory (the journal's snippets of what the user
/// typed, `mem-history why`), and vets what a model proposes to store. It lives apart
/// from Propose/ because History/ needs it too; it depends on System/ alone.
///
/// It is a single left-to-right scan over the UTF-8 bytes (no regular expressions: the
/// Swift Regex engine is far too slow for 100 KB texts). Each secret is replaced by a
/// typed marker, `[REDACTED:<kind>]`; URL passwords become `[REDACTED]`.
///
/// What is recognised:
/// - provider keys by their prefixes: OpenAI `sk-…` (incl. `sk-proj-`, `sk-svcacct-`),
///   Anthropic `sk-ant-…`, Google `AIza…`, GitHub `ghp_/gho_/ghu_/ghs_/ghr_/github_pat_`,
///   GitLab `glpat-`, Slack `xox[abprs]-`/`xapp-`, AWS `AKIA…`/`ASIA…`, Stripe
///   `sk_live_/rk_live_/sk_test_/rk_test_`, Hugging Face `hf_…`, npm `npm_…`;
/// - JWTs (`eyJ….….…`), private-key blocks (`-----BEGIN … PRIVATE KEY-----` to the matching
///   END line, or to the end of the text when the block is cut off);
/// - `Authorization: <scheme> <credentials>` headers and `Bearer <token>` anywhere;
/// - assignments to password-like names (`password`, `passwd`, `pwd`, `passphrase`, …):
///   `password=…`, `"passwd": "…"`, `DB_PASSWORD: …`, and `password is …` when the value
///   has a digit or a symbol;
/// - assignments to key-like names (`…key`, `…token`, `…secret`, `credential…`, e.g.
///   `OPENAI_API_KEY=…`, `aws_secret_access_key = …`, `"apiKey": "…"`, `token 3f9a…`)
///   when the value looks like a token: at least 16 characters of `[A-Za-z0-9+/=_.-]`
///   with both letters and digits;
/// - URL credentials: `scheme://user:pass@host` → `scheme://user:[REDACTED]@host`.
///
/// Precision: ordinary prose, code identifiers (`max_tokens = 4096`, `hf_hub_download`),
/// UUIDs and git SHAs are kept. A bare hex string is only redacted when it follows a
/// key-like word (`token: 3f2a…`); `commit 3f2a…` keeps its SHA, because a commit id is
/// useful context and not a credential. Placeholders (`$TOKEN`, `${PASS}`, `<password>`,
/// `None`, `str`) are not secrets and are kept.
public enum Redactor {
    /// The text with every recognised secret replaced by a marker.
    public static func redact(_ text: String) -> String {
        redactWithCount(text).text
    }

    /// What may be kept or shown of something the user typed: redacted first (so a
    /// secret cut in half is still found), then on one line, at most `limit` characters.
    /// The journal keeps this much of each source exchange (120 characters); `why` and
    /// `log` show it for words read from logs.db.
    public static func snippet(_ text: String, limit: Int = 120) -> String {
        redact(text).singleLine().shortened(to: limit)
    }

    /// The redacted text and how many secrets were replaced.
    public static func redactWithCount(_ text: String) -> (text: String, count: Int) {
        var scanner = Scanner(Array(text.utf8))
        scanner.run()
        if scanner.count == 0 { return (text, 0) }
        return (String(decoding: scanner.out, as: UTF8.self), scanner.count)
    }

    /// True when `text` holds something that must never be stored in the profile: a
    /// secret the redactor recognises, a redaction marker, or a long random-looking token
    /// (24+ characters of letters, digits and `+/=_-`, mixing upper case, lower case and
    /// digits — plain hex such as a git SHA does not count, nor do UUIDs or words).
    public static func looksLikeSecret(_ text: String) -> Bool {
        if text.contains("[REDACTED") { return true }
        if redactWithCount(text).count > 0 { return true }
        return hasRandomLookingToken(Array(text.utf8))
    }

    static func hasRandomLookingToken(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            guard isBase64(bytes[i]) else { i += 1; continue }
            let start = i
            var upper = false, lower = false, digit = false
            while i < bytes.count, isBase64(bytes[i]) {
                let b = bytes[i]
                if isUpper(b) { upper = true } else if isLower(b) { lower = true } else if isDigit(b) { digit = true }
                i += 1
            }
            if i - start >= 24, upper, lower, digit { return true }
        }
        return false
    }

    // MARK: - The scanner

    struct Scanner {
        let bytes: [UInt8]
        var out: [UInt8] = []
        var count = 0
        /// Bytes before this index not yet copied to `out`.
        var copied = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        var n: Int { bytes.count }

        mutating func replace(_ range: Range<Int>, with marker: String) {
            if out.isEmpty { out.reserveCapacity(bytes.count) }
            out.append(contentsOf: bytes[copied..<range.lowerBound])
            out.append(contentsOf: marker.utf8)
            copied = range.upperBound
            count += 1
        }

        mutating func run() {
            var i = 0
            while i < n {
                let b = bytes[i]
                if b == UInt8(ascii: "-"), let end = privateKeyBlock(at: i) {
                    replace(i..<end, with: "[REDACTED:private-key]")
                    i = end
                    continue
                }
                if b == UInt8(ascii: ":"), i + 2 < n, bytes[i + 1] == UInt8(ascii: "/"), bytes[i + 2] == UInt8(ascii: "/") {
                    i = urlCredentials(after: i + 3)
                    continue
                }
                if isAlnum(b), i == 0 || !isWordByte(bytes[i - 1]) {
                    // `\nsk-…` in JSON-escaped text (a reply that echoes the prompt, a pasted
                    // JSON string): the key starts after the escape's letter.
                    if let end = keyAfterEscape(at: i) {
                        i = end
                        continue
                    }
                    i = word(at: i)
                    continue
                }
                i += 1
            }
            if count > 0 { out.append(contentsOf: bytes[copied..<n]) }
        }

        // MARK: Words

        /// Looks at the word starting at `i`; returns where scanning continues.
        mutating func word(at i: Int) -> Int {
            if let (end, kind) = prefixedToken(at: i) {
                replace(i..<end, with: "[REDACTED:\(kind)]")
                return end
            }
            if let end = jwt(at: i) {
                replace(i..<end, with: "[REDACTED:jwt]")
                return end
            }
            // An identifier, possibly dotted/dashed: `DB_PASSWORD`, `x-api-key`, `config.token`.
            // Scans are bounded (here and below) so that long dashed or dotted runs, where
            // every segment starts a word, cannot make the scan quadratic.
            var end = i
            while end < n, end - i <= Scanner.maxName, isIdentifierByte(bytes[end]) { end += 1 }
            let overlong = end - i > Scanner.maxName
            // Do not let a trailing dot or dash belong to the name ("token." ends a sentence).
            while end > i + 1, bytes[end - 1] == UInt8(ascii: ".") || bytes[end - 1] == UInt8(ascii: "-") { end -= 1 }
            let name = i..<end
            if name.count >= 3, !overlong {
                if equals(name, Words.bearer) {
                    if let next = bearer(after: end) { return next }
                    return end
                }
                if hasSuffix(name, Words.authorization) {
                    if let next = authorizationHeader(after: end) { return next }
                    return end
                }
                if let kind = nameKind(name) {
                    if let next = assignment(after: end, kind: kind, name: name) { return next }
                }
            }
            // Skip the rest of the alphanumeric run so its inner positions are not re-examined.
            var j = i
            while j < n, isWordByte(bytes[j]) { j += 1 }
            return max(j, i + 1)
        }

        /// The characters a key's body may hold.
        enum Charset: Int, CaseIterable, Sendable {
            case alnum, base64URL, alnumUnderscore, alnumDash, upperDigit

            @inline(__always) func contains(_ b: UInt8) -> Bool {
                switch self {
                case .alnum: return isAlnum(b)
                case .base64URL: return isBase64URL(b)
                case .alnumUnderscore: return isAlnum(b) || b == UInt8(ascii: "_")
                case .alnumDash: return isAlnum(b) || b == UInt8(ascii: "-")
                case .upperDigit: return isUpper(b) || isDigit(b)
                }
            }
        }

        /// What a key's body must also have, to tell it from a word.
        enum Check: Sendable { case none, digit, mixed }

        struct Prefix: Sendable {
            let text: [UInt8]
            let kind: String
            let body: Charset
            let minBody: Int
            let check: Check
        }

        /// Longest name looked at (`MY_PRODUCTION_DATABASE_PASSWORD` is 31).
        static let maxName = 128
        /// Longest provider key or JWT header (real ones are under 200 characters).
        static let maxKey = 512
        /// Longest JWT payload or signature scanned; a longer one is still cut there.
        static let maxJWTPart = 16384

        static let prefixes: [Prefix] = {
            func p(_ text: String, _ kind: String, _ body: Charset, _ minBody: Int, _ check: Check = .none) -> Prefix {
                Prefix(text: Array(text.utf8), kind: kind, body: body, minBody: minBody, check: check)
            }
            return [
                p("sk-ant-", "anthropic-key", .base64URL, 20),
                p("sk-proj-", "openai-key", .base64URL, 20),
                p("sk-svcacct-", "openai-key", .base64URL, 20),
                p("sk-admin-", "openai-key", .base64URL, 20),
                p("sk-", "openai-key", .base64URL, 20, .digit),
                p("sk_live_", "stripe-key", .alnum, 16),
                p("rk_live_", "stripe-key", .alnum, 16),
                p("sk_test_", "stripe-key", .alnum, 16),
                p("rk_test_", "stripe-key", .alnum, 16),
                p("AIza", "google-api-key", .base64URL, 30),
                p("github_pat_", "github-token", .alnumUnderscore, 30),
                p("ghp_", "github-token", .alnum, 30),
                p("gho_", "github-token", .alnum, 30),
                p("ghu_", "github-token", .alnum, 30),
                p("ghs_", "github-token", .alnum, 30),
                p("ghr_", "github-token", .alnum, 30),
                p("glpat-", "gitlab-token", .base64URL, 20),
                p("xoxb-", "slack-token", .alnumDash, 10, .digit),
                p("xoxa-", "slack-token", .alnumDash, 10, .digit),
                p("xoxp-", "slack-token", .alnumDash, 10, .digit),
                p("xoxr-", "slack-token", .alnumDash, 10, .digit),
                p("xoxs-", "slack-token", .alnumDash, 10, .digit),
                p("xapp-", "slack-token", .alnumDash, 20, .digit),
                p("AKIA", "aws-access-key", .upperDigit, 16),
                p("ASIA", "aws-access-key", .upperDigit, 16),
                p("hf_", "huggingface-token", .alnum, 30, .mixed),
                p("npm_", "npm-token", .alnum, 30, .mixed),
            ]
        }()

        // Memos that keep long runs (`sk-sk-sk-…`, where every segment starts a word)
        // from being rescanned at each word: the end of the last run seen per charset, and
        // the next digit / upper-case / lower-case letter at or after a position.
        var runMemo = [(start: Int, end: Int)](repeating: (0, 0), count: Charset.allCases.count)
        var nextMemo = [(from: Int, at: Int)](repeating: (Int.max, 0), count: 3)

        mutating func runEnd(from p: Int, _ charset: Charset) -> Int {
            let memo = runMemo[charset.rawValue]
            if p >= memo.start, p < memo.end { return memo.end }
            var end = p
            while end < n, charset.contains(bytes[end]) { end += 1 }
            if end > p { runMemo[charset.rawValue] = (p, end) }
            return end
        }

        /// The first position at or after `p` whose byte is in class `k` (0 digit, 1 upper, 2 lower), or `n`.
        mutating func next(_ k: Int, from p: Int) -> Int {
            let memo = nextMemo[k]
            if p >= memo.from, memo.at >= p { return memo.at }
            var i = p
            while i < n {
                let b = bytes[i]
                if k == 0 ? isDigit(b) : k == 1 ? isUpper(b) : isLower(b) { break }
                i += 1
            }
            nextMemo[k] = (p, i)
            return i
        }

        mutating func passes(_ check: Check, _ body: Range<Int>) -> Bool {
            switch check {
            case .none: return true
            case .digit: return next(0, from: body.lowerBound) < body.upperBound
            case .mixed:
                return next(0, from: body.lowerBound) < body.upperBound
                    || (next(1, from: body.lowerBound) < body.upperBound && next(2, from: body.lowerBound) < body.upperBound)
            }
        }

        /// For each first byte, the indices of the prefixes starting with it.
        static let prefixesByFirstByte: [[Int]] = {
            var table = [[Int]](repeating: [], count: 256)
            for (index, prefix) in prefixes.enumerated() { table[Int(prefix.text[0])].append(index) }
            return table
        }()

        mutating func prefixedToken(at i: Int) -> (Int, String)? {
            let candidates = Scanner.prefixesByFirstByte[Int(bytes[i])]
            if candidates.isEmpty { return nil }
            for index in candidates {
                let prefix = Scanner.prefixes[index]
                let t = prefix.text
                guard i + t.count <= n else { continue }
                var same = true
                for k in 1..<t.count where bytes[i + k] != t[k] { same = false; break }
                guard same else { continue }
                let end = runEnd(from: i + t.count, prefix.body)
                let body = (i + t.count)..<end
                guard body.count >= prefix.minBody, body.count <= Scanner.maxKey, passes(prefix.check, body) else { continue }
                // A key must end the word: `AKIA…` followed by lower case is a longer word.
                if end < n, isAlnum(bytes[end]) || bytes[end] == UInt8(ascii: "_") { continue }
                return (end, prefix.kind)
            }
            return nil
        }

        /// At `n`/`t`/`r` right after a backslash: a provider key or JWT starting just after
        /// it is replaced; returns where scanning continues, or nil.
        mutating func keyAfterEscape(at i: Int) -> Int? {
            guard i > 0, bytes[i - 1] == UInt8(ascii: "\\"), i + 1 < n,
                  bytes[i] == UInt8(ascii: "n") || bytes[i] == UInt8(ascii: "t") || bytes[i] == UInt8(ascii: "r") else { return nil }
            if let (end, kind) = prefixedToken(at: i + 1) {
                replace((i + 1)..<end, with: "[REDACTED:\(kind)]")
                return end
            }
            if let end = jwt(at: i + 1) {
                replace((i + 1)..<end, with: "[REDACTED:jwt]")
                return end
            }
            return nil
        }

        /// A quote at `j` — `"`, `'`, or a JSON-escaped `\"` — is skipped; returns the quote
        /// byte, `\` for an escaped quote, or nil when there is none.
        func skipQuote(_ j: inout Int, allowing quotes: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "'")]) -> UInt8? {
            guard j < n else { return nil }
            if bytes[j] == UInt8(ascii: "\\"), j + 1 < n, bytes[j + 1] == UInt8(ascii: "\"") {
                j += 2
                return UInt8(ascii: "\\")
            }
            guard quotes.contains(bytes[j]) else { return nil }
            j += 1
            return bytes[j - 1]
        }

        /// `eyJ<header>.<payload>.<signature>` (base64url; the signature may be empty).
        func jwt(at i: Int) -> Int? {
            guard i + 3 < n, bytes[i] == UInt8(ascii: "e"), bytes[i + 1] == UInt8(ascii: "y"),
                  bytes[i + 2] == UInt8(ascii: "J") else { return nil }
            var end = i
            while end < n, end - i <= Scanner.maxKey, isBase64URL(bytes[end]) { end += 1 }
            guard end - i >= 10, end < n, bytes[end] == UInt8(ascii: ".") else { return nil }
            let payloadStart = end + 1
            end = payloadStart
            while end < n, end - payloadStart <= Scanner.maxJWTPart, isBase64URL(bytes[end]) { end += 1 }
            guard end - payloadStart >= 10, end < n, bytes[end] == UInt8(ascii: ".") else { return nil }
            end += 1
            let signatureStart = end
            while end < n, end - signatureStart <= Scanner.maxJWTPart, isBase64URL(bytes[end]) { end += 1 }
            return end
        }

        // MARK: Headers and assignments

        /// `Bearer <token>`: the token (16+ characters with a digit) is replaced.
        mutating func bearer(after i: Int) -> Int? {
            var j = i
            guard j < n, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") else { return nil }
            while j < n, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j += 1 }
            let start = j
            while j < n, isCredentialByte(bytes[j]) { j += 1 }
            let token = bytes[start..<j]
            guard token.count >= 16, token.contains(where: isDigit) else { return nil }
            replace(start..<j, with: "[REDACTED:bearer-token]")
            return j
        }

        /// `Authorization: Bearer xyz`, `"authorization": "Basic xyz"`, `Authorization=xyz`.
        mutating func authorizationHeader(after i: Int) -> Int? {
            var j = i
            _ = skipQuote(&j)
            while j < n, bytes[j] == UInt8(ascii: " ") { j += 1 }
            guard j < n, bytes[j] == UInt8(ascii: ":") || bytes[j] == UInt8(ascii: "=") else { return nil }
            j += 1
            while j < n, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j += 1 }
            _ = skipQuote(&j)
            // An optional scheme word (Bearer, Basic, Token, Digest…) followed by a space.
            var k = j
            while k < n, isAlpha(bytes[k]) { k += 1 }
            if k > j, k < n, bytes[k] == UInt8(ascii: " ") {
                j = k
                while j < n, bytes[j] == UInt8(ascii: " ") { j += 1 }
            }
            let start = j
            while j < n, isCredentialByte(bytes[j]) { j += 1 }
            guard j - start >= 8 else { return nil }
            replace(start..<j, with: "[REDACTED:authorization]")
            return j
        }

        enum NameKind { case password, key }

        enum Words {
            static let bearer = Array("bearer".utf8)
            static let authorization = Array("authorization".utf8)
            static let password = ["password", "passwd", "passphrase"].map { Array($0.utf8) }
            static let passwordExact = ["pwd", "pass"].map { Array($0.utf8) }
            static let passwordSuffix = ["_pwd", "-pwd", ".pwd", "_pass"].map { Array($0.utf8) }
            static let key = ["secret", "token", "apikey", "api_key", "api-key", "credential", "private_key"].map { Array($0.utf8) }
            static let keyExact = ["auth", "key", "keys"].map { Array($0.utf8) }
            static let keySuffix = ["_auth"].map { Array($0.utf8) }
            static let aws = Array("aws".utf8)
            static let secret = Array("secret".utf8)
        }

        /// Whether an identifier names a password or a key/token/secret.
        func nameKind(_ name: Range<Int>) -> NameKind? {
            if Words.password.contains(where: { contains(name, $0) }) || Words.passwordExact.contains(where: { equals(name, $0) })
                || Words.passwordSuffix.contains(where: { hasSuffix(name, $0) }) {
                return .password
            }
            if Words.key.contains(where: { contains(name, $0) }) || Words.keyExact.contains(where: { equals(name, $0) })
                || Words.keySuffix.contains(where: { hasSuffix(name, $0) }) {
                return .key
            }
            if name.count > 3, lowercasedByte(bytes[name.upperBound - 3]) == UInt8(ascii: "k"),
               lowercasedByte(bytes[name.upperBound - 2]) == UInt8(ascii: "e"),
               lowercasedByte(bytes[name.upperBound - 1]) == UInt8(ascii: "y") {
                // `API_KEY`, `x-api-key`, `apiKey`, `accessKey` — but not `monkey` or `hotkey`.
                let keyStart = name.upperBound - 3
                let before = bytes[keyStart - 1]
                if before == UInt8(ascii: "_") || before == UInt8(ascii: "-") || before == UInt8(ascii: ".")
                    || bytes[keyStart] == UInt8(ascii: "K") { return .key }
            }
            return nil
        }

        /// Case-insensitive comparisons of a range of the text with a lower-case word.
        func equals(_ range: Range<Int>, _ word: [UInt8]) -> Bool {
            range.count == word.count && hasSuffix(range, word)
        }

        func hasSuffix(_ range: Range<Int>, _ word: [UInt8]) -> Bool {
            guard range.count >= word.count else { return false }
            let start = range.upperBound - word.count
            for k in 0..<word.count where lowercasedByte(bytes[start + k]) != word[k] { return false }
            return true
        }

        func contains(_ range: Range<Int>, _ word: [UInt8]) -> Bool {
            guard range.count >= word.count else { return false }
            var start = range.lowerBound
            while start + word.count <= range.upperBound {
                if lowercasedByte(bytes[start]) == word[0] {
                    var k = 1
                    while k < word.count, lowercasedByte(bytes[start + k]) == word[k] { k += 1 }
                    if k == word.count { return true }
                }
                start += 1
            }
            return false
        }

        /// After a password- or key-like name: an optional closing quote, a separator
        /// (`=`, `:`, `:=`, `=>`, or for prose `is`/a space), an optional opening quote,
        /// then the value. Returns where scanning continues when a value was replaced.
        mutating func assignment(after i: Int, kind: NameKind, name: Range<Int>) -> Int? {
            var j = i
            _ = skipQuote(&j)
            while j < n, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j += 1 }
            // How the value is attached: `=`/`:` (explicit), prose `is`, or just a space.
            var explicit = false
            var prose = false
            if j < n, bytes[j] == UInt8(ascii: "=") || bytes[j] == UInt8(ascii: ":") {
                explicit = true
                j += 1
                if j < n, bytes[j] == UInt8(ascii: "=") || bytes[j] == UInt8(ascii: ">") {
                    // `==` is a comparison, not an assignment.
                    if bytes[j] == UInt8(ascii: "=") && bytes[j - 1] == UInt8(ascii: "=") { return nil }
                    j += 1
                }
                while j < n, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j += 1 }
            } else if j == i {
                return nil
            } else if j + 2 < n, lowercasedByte(bytes[j]) == UInt8(ascii: "i"), lowercasedByte(bytes[j + 1]) == UInt8(ascii: "s"),
                      bytes[j + 2] == UInt8(ascii: " ") {
                prose = true
                j += 3
                while j < n, bytes[j] == UInt8(ascii: " ") { j += 1 }
            }
            // `password reset`, `pass 2 tests`: a bare space is not an assignment of a password.
            if kind == .password, !explicit, !prose { return nil }
            // The value's opening quote; `\` stands for a JSON-escaped `\"`, which the value
            // ends at (its backslash).
            let quote = skipQuote(&j, allowing: [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`")])
            let start = j
            switch kind {
            case .password:
                if let quote {
                    while j < n, bytes[j] != quote, bytes[j] != 0x0A { j += 1 }
                } else {
                    while j < n, !isSpace(bytes[j]), !ends(bytes[j]) { j += 1 }
                    // A sentence's final full stop is not part of the password.
                    if j > start + 1, bytes[j - 1] == UInt8(ascii: ".") { j -= 1 }
                }
                let value = Array(bytes[start..<j])
                guard !value.isEmpty, !isPlaceholder(value, following: j) else { return nil }
                if !explicit {
                    // `password is hunter2` yes, `password is required` no.
                    guard value.contains(where: { !isAlpha($0) }) else { return nil }
                }
                replace(start..<j, with: "[REDACTED:password]")
                return j
            case .key:
                if let (end, tokenKind) = prefixedToken(at: j) {
                    replace(j..<end, with: "[REDACTED:\(tokenKind)]")
                    return end
                }
                if j < n, bytes[j] == UInt8(ascii: "/") || bytes[j] == UInt8(ascii: ".") { return nil }
                while j < n, isTokenByte(bytes[j]) { j += 1 }
                while j > start, bytes[j - 1] == UInt8(ascii: ".") { j -= 1 }
                let value = Array(bytes[start..<j])
                guard value.count >= 16, value.contains(where: isDigit), value.contains(where: isAlpha) else { return nil }
                if j < n, bytes[j] == UInt8(ascii: "(") { return nil }
                let marker = contains(name, Words.aws) && contains(name, Words.secret) ? "aws-secret-key" : "secret"
                replace(start..<j, with: "[REDACTED:\(marker)]")
                return j
            }
        }

        /// Where an unquoted password ends: separators of lists, query strings and code.
        func ends(_ b: UInt8) -> Bool {
            switch b {
            case UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"),
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "}"),
                 UInt8(ascii: "`"):
                return true
            default:
                return false
            }
        }

        /// Values that stand for a password rather than being one.
        func isPlaceholder(_ value: [UInt8], following end: Int) -> Bool {
            guard let first = value.first else { return true }
            if first == UInt8(ascii: "$") || first == UInt8(ascii: "<") || first == UInt8(ascii: "{")
                || first == UInt8(ascii: "%") || first == UInt8(ascii: "(") || first == UInt8(ascii: "[") { return true }
            if value.allSatisfy({ $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") || $0 == UInt8(ascii: ".") }) {
                return true
            }
            // A function call or attribute lookup: `password = getpass()`, `os.environ[...]`.
            if end < n, bytes[end] == UInt8(ascii: "(") || bytes[end] == UInt8(ascii: "[") { return true }
            let word = String(decoding: value, as: UTF8.self).lowercased()
            let stop: Set<String> = ["none", "null", "nil", "true", "false", "str", "string", "bytes", "int", "bool",
                                     "any", "optional", "required", "undefined", "secretstr", "text", "char",
                                     "varchar", "redacted", "[redacted]", "hidden", "empty", "unset", "os.environ",
                                     "env", "input", "getpass"]
            if stop.contains(word) { return true }
            if word.hasPrefix("[redacted") || word.hasPrefix("os.environ") || word.hasPrefix("process.env")
                || word.hasPrefix("env.") || word.hasPrefix("settings.") || word.hasPrefix("config.") { return true }
            return false
        }

        // MARK: URLs and key blocks

        /// `scheme://user:password@host`: replaces the password; returns where to continue.
        mutating func urlCredentials(after i: Int) -> Int {
            var j = i
            var colon: Int?
            while j < n {
                let b = bytes[j]
                if b == UInt8(ascii: "@") { break }
                if b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") || isSpace(b)
                    || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
                    || b == UInt8(ascii: "`") || b == UInt8(ascii: ")") || b == UInt8(ascii: "]") { return i }
                if b == UInt8(ascii: ":"), colon == nil { colon = j }
                j += 1
            }
            guard j < n, let colon, j > colon + 1 else { return i }
            let first = bytes[colon + 1]
            if first == UInt8(ascii: "$") || first == UInt8(ascii: "<") || first == UInt8(ascii: "{") { return j }
            replace((colon + 1)..<j, with: "[REDACTED]")
            return j
        }

        static let begin = Array("-----BEGIN ".utf8)
        static let end = Array("-----END ".utf8)
        static let privateKey = Array("PRIVATE KEY".utf8)

        /// `-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----` (or to the end of
        /// the text if the block is cut off). Returns the end of the block.
        func privateKeyBlock(at i: Int) -> Int? {
            guard matches(Scanner.begin, at: i) else { return nil }
            var j = i + Scanner.begin.count
            let labelStart = j
            while j < n, j - labelStart <= 60, isUpper(bytes[j]) || isDigit(bytes[j]) || bytes[j] == UInt8(ascii: " ") { j += 1 }
            guard matches(Array("-----".utf8), at: j), contains(Scanner.privateKey, in: labelStart..<j) else { return nil }
            j += 5
            while j < n {
                if bytes[j] == UInt8(ascii: "-"), matches(Scanner.end, at: j) {
                    var k = j + Scanner.end.count
                    while k < n, isUpper(bytes[k]) || isDigit(bytes[k]) || bytes[k] == UInt8(ascii: " ") { k += 1 }
                    if matches(Array("-----".utf8), at: k) { return k + 5 }
                }
                j += 1
            }
            return n
        }

        func matches(_ pattern: [UInt8], at i: Int) -> Bool {
            guard i + pattern.count <= n else { return false }
            for k in 0..<pattern.count where bytes[i + k] != pattern[k] { return false }
            return true
        }

        func contains(_ pattern: [UInt8], in range: Range<Int>) -> Bool {
            guard range.count >= pattern.count else { return false }
            for start in range.lowerBound...(range.upperBound - pattern.count) where matches(pattern, at: start) { return true }
            return false
        }

    }
}

// MARK: - Byte classes

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
@inline(__always) private func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
@inline(__always) private func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
@inline(__always) private func isAlpha(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
@inline(__always) private func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }
@inline(__always) private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
/// Bytes that make a word continue (a secret must start where a word starts).
@inline(__always) private func isWordByte(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") || b >= 0x80 }
@inline(__always) private func isIdentifierByte(_ b: UInt8) -> Bool {
    isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
}
@inline(__always) private func isBase64URL(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") }
@inline(__always) private func isBase64(_ b: UInt8) -> Bool {
    isBase64URL(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
}
/// Characters of a token value after a key-like name.
@inline(__always) private func isTokenByte(_ b: UInt8) -> Bool { isBase64(b) || b == UInt8(ascii: ".") }
/// Characters of HTTP credentials (token68 plus a few seen in practice).
@inline(__always) private func isCredentialByte(_ b: UInt8) -> Bool { isTokenByte(b) || b == UInt8(ascii: "~") }
@inline(__always) private func lowercasedByte(_ b: UInt8) -> UInt8 { isUpper(b) ? b + 32 : b }
