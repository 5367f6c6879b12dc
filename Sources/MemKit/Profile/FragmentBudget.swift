/// How long the fragment may be: the one setting that bounds what every prompt carries.
///
/// The fragment goes into the system prompt of every call the wrapper makes, so its length
/// is a cost the user pays on each call (see the README's "What the profile costs per
/// call", measured with `scripts/measure-fragment-tokens.sh`). mem-render reads it to
/// decide which bullets to leave out; mem-propose reads the same value to ask the model to
/// consolidate a profile that has outgrown it. Both read it here, so they always agree.
public enum FragmentBudget {
    /// The environment variable a user sets to change the budget.
    public static let variable = "LLM_MEMORY_MAX_CHARS"

    /// The default, in characters (Unicode scalars) of the whole fragment: about 1,000
    /// tokens per call (cl100k and o200k alike), room for some 60 typical bullets beside
    /// the framing. Measured, not guessed: see the README.
    public static let defaultMaxChars = 4000

    /// The budget in force: `$LLM_MEMORY_MAX_CHARS` when set (and not empty), else the
    /// default. A value that is not a positive whole number is a usage error (exit 64):
    /// silently falling back would inject a different amount than the user asked for.
    public static func fromEnvironment() throws(MemError) -> Int {
        guard let text = Environment.value(variable) else { return defaultMaxChars }
        return try parse(text, name: variable)
    }

    /// A positive whole number of characters, digits only (no sign, no separators).
    public static func parse(_ text: String, name: String) throws(MemError) -> Int {
        let digits = text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
        guard digits, !text.isEmpty, let value = Int(text), value > 0 else {
            throw MemError(.usage, "\(name) must be a positive whole number of characters (got '\(ProfileMerger.shorten(text, to: 40))')")
        }
        return value
    }
}
