/// The profiles and replies of issue 10 §1, shared by the unit tests of `ReplyGuard` and
/// the end-to-end ones through the real llm and the porcelain.
public enum GuardScenarios {
    /// A young profile of two bullets.
    public static let twoBullets = "# User profile\n\n## Personal Information\n- Role: Frontend developer at a fintech startup in Berlin\n- Works mainly with JavaScript and React\n"
    /// What the user said.
    public static let roleChange = "I moved to the backend team: I'm a backend engineer now and I write Rust full time."
    /// The reply of issue 10, verbatim: a role change of both bullets.
    public static let roleChangeReply = #"""
        {"ops": [{"op": "replace", "section": "Personal Information", "old": "Role: Frontend developer at a fintech startup in Berlin", "text": "Role: Backend engineer at a fintech startup in Berlin", "ex": 1},
                 {"op": "replace", "section": "Personal Information", "old": "Works mainly with JavaScript and React", "text": "Writes Rust full time", "ex": 1}]}
        """#

    /// Four bullets in two sections, and each as (section, text).
    public static let fourBullets = "# User profile\n\n## Personal Information\n- Name: Ada\n- Role: JavaScript developer\n\n## Interests\n- Chess\n- Sailing\n"
    public static let fourBulletTexts = [("Personal Information", "Name: Ada"), ("Personal Information", "Role: JavaScript developer"),
                                         ("Interests", "Chess"), ("Interests", "Sailing")]

    /// A reply removing all four bullets.
    public static var removeAllFour: String {
        "{\"ops\": [" + fourBulletTexts.map { #"{"op": "remove", "section": "\#($0.0)", "old": "\#($0.1)", "ex": 1}"# }
            .joined(separator: ", ") + "]}"
    }
}
