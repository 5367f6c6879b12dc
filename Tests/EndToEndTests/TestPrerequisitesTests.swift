import Foundation
import Testing

/// What the conditional tests need, in one place. A test that cannot run here skips
/// itself with its reason (`.enabled(if:)`); that is right on a developer's machine
/// without fish or tmux, and wrong in CI, where a skip would hide a broken test behind a
/// green run. `.ci/run` sets `LLM_MEMORY_TESTS_REQUIRE_ALL=1`, and then every
/// prerequisite must be there: a missing one fails this test, naming it. Elsewhere it
/// only says what will be skipped.
@Suite struct TestPrerequisitesTests {
    /// Each prerequisite of a conditional test, and where it comes from.
    static var prerequisites: [(what: String, present: Bool)] {
        [
            ("the pinned llm venvs (make test-env)", Repo.llmAvailable),
            ("the llm venv with the plugin adapter (make test-env)", Repo.pluginVenvAvailable),
            ("the test-only plugin command in the llm 0.36 venv (make test-env)", ShellIntegrationTests.testCommandPluginInstalled),
            ("a wheel (make test builds it before the tests)", Repo.wheel != nil),
            ("bash", Shell.bash.path != nil),
            ("zsh", Shell.zsh.path != nil),
            ("fish", Shell.fish.path != nil),
            ("tmux", TmuxSession.available),
            ("strace", CrashTests.strace != nil),
            ("shellcheck", PorcelainCommandTests.shellcheck != nil),
            ("dash", PorcelainCommandTests.dash != nil),
            ("/proc (session ids)", FileManager.default.fileExists(atPath: "/proc/self/stat")),
            ("a private mount namespace (unshare -m as root)", Mounts.available),
        ]
    }

    @Test func everyPrerequisiteOfAConditionalTestIsHereWhenCIAsksForThem() {
        let missing = Self.prerequisites.filter { !$0.present }.map(\.what)
        if ProcessInfo.processInfo.environment["LLM_MEMORY_TESTS_REQUIRE_ALL"] == "1" {
            #expect(missing.isEmpty, "CI would skip the tests that need: \(missing.joined(separator: "; "))")
        } else if !missing.isEmpty {
            print("prerequisites missing here, so their tests are skipped: \(missing.joined(separator: "; "))")
        }
    }
}
