/// Profiles for the extractor and gate tests: the title, then the four default sections,
/// each heading followed directly by its bullets, one blank line between sections.
enum TestProfile {
    static func text(personal: [String] = [], projects: [String] = [], interests: [String] = [],
                     preferences: [String] = []) -> String {
        let sections = [("Personal Information", personal), ("Current Projects", projects),
                        ("Interests", interests), ("Preferences", preferences)]
        return "# User profile\n\n" + sections.map { name, bullets in
            "## \(name)\n" + bullets.map { "- \($0)\n" }.joined()
        }.joined(separator: "\n")
    }
}
