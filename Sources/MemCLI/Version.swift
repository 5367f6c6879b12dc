/// The version of llm-user-memory: the same for the porcelain and every tool
/// (`--version`). It is kept in one place, share/llm-memory/VERSION, which the porcelain
/// reads at run time; this is its copy for the tools, and a test checks they agree.
public enum Version {
    public static let string = "0.2.0"
}
