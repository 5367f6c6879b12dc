/// The fragment that marks a call off the record (`LLM_MEMORY_DISABLED=true`).
///
/// Why a fragment: the wrapper knows at call time that a call is off the record, and the
/// one thing it can make llm log with exactly that call (in the same transaction, so no
/// concurrent call in another shell can be mistaken for it) is a fragment link. Why
/// whitespace only: llm builds the system prompt from its parts stripped, skipping empty
/// ones (llm 0.31.1 and 0.36), so the model receives exactly what it would without the
/// marker, yet llm stores the fragment and links it to the call (`turn_fragments`, or
/// `system_fragments` / `prompt_fragments`). `fragments.hash` is unique, so the `source`
/// llm keeps is whichever path or name first stored this content: mem-extract recognises
/// the marker by its hash alone.
///
/// The same bytes live in `share/llm-memory/off-record.md` (what the wrapper passes with
/// `--sf`) and in the plugin adapter (`memory:auto` while disabled); tests check both.
public enum OffRecordMarker {
    /// Space, tab, newline, tab, space, newline: whitespace a file is unlikely to hold by
    /// accident, and no carriage return (Python's text mode would change it).
    public static let content = " \t\n\t \n"

    /// SHA-256 of `content`, as llm stores it in `fragments.hash`.
    public static let sha256 = "40afc186411b1d01d6fcb10c8aaa486427d0036090714baa0900f48f752cd98a"
}
