import Testing
@testable import MemKit

@Suite struct BulletMatcherTests {
    @Test func caseSpacingAndTrailingPunctuationDoNotMatter() {
        #expect(BulletMatcher.matches("Rust developer.", "rust   developer"))
        #expect(BulletMatcher.matches("  Lives in Berlin!", "lives in berlin"))
        #expect(BulletMatcher.matches("Élodie's cat", "élodies cat"))
    }

    @Test func markdownEmphasisIsIgnored() {
        #expect(BulletMatcher.matches("**Rust** developer", "Rust developer"))
        #expect(BulletMatcher.matches("Uses `cargo` daily", "uses cargo daily"))
        #expect(BulletMatcher.matches("_Prefers_ tabs", "prefers tabs"))
    }

    @Test func aLeadingKeyIsOptionalOnEitherSide() {
        #expect(BulletMatcher.matches("Role: Rust developer", "rust developer"))
        #expect(BulletMatcher.matches("rust developer", "Role: Rust developer"))
        #expect(BulletMatcher.matches("Role: Rust developer", "Role: rust developer."))
        #expect(BulletMatcher.matches("**Role:** Rust developer", "Rust developer"))
    }

    @Test func differentFactsDoNotMatch() {
        #expect(!BulletMatcher.matches("Role: Rust developer", "Role: Go developer"))
        #expect(!BulletMatcher.matches("Likes: cats", "Dislikes: cats"))
        #expect(!BulletMatcher.matches("Has 2 kids", "Has 3 kids"))
        #expect(!BulletMatcher.matches("Writes C++", "Writes C"))
        #expect(!BulletMatcher.matches("Writes C#", "Writes C"))
        #expect(!BulletMatcher.matches("Writes C#", "Writes C++"))
        #expect(!BulletMatcher.matches("Rust developer", "Rust developer at Mozilla"))
        #expect(!BulletMatcher.matches("Role: Rust developer", "Rust"))
    }

    @Test func anEmptyNormalisedTextMatchesNothing() {
        #expect(!BulletMatcher.matches("", ""))
        #expect(!BulletMatcher.matches("...", "..."))
        #expect(!BulletMatcher.matches("🎉", "🎉"))
        #expect(!BulletMatcher.matches("**", ""))
    }

    @Test func punctuationSeparatesWordsAndApostrophesJoinThem() {
        #expect(BulletMatcher.normalize("Full-stack, Node.js & C++!") == "full stack node js c++")
        #expect(BulletMatcher.normalize("The user's  \"dog\"") == "the users dog")
        #expect(BulletMatcher.matches("full-stack developer", "Full stack developer"))
    }

    @Test func aColonWithoutFollowingSpaceIsNotAKey() {
        let matcher = BulletMatcher("https://example.com")
        #expect(matcher.key == nil)
        #expect(BulletMatcher("Website: https://example.com").key == "website")
        #expect(BulletMatcher.matches("Website: https://example.com", "https://example.com"))
    }

    @Test func aLongSentenceBeforeAColonIsNotAKey() {
        #expect(BulletMatcher("The user told me on several occasions: likes tea").key == nil)
        #expect(!BulletMatcher.matches("The user told me on several occasions: likes tea", "likes tea"))
    }
}
