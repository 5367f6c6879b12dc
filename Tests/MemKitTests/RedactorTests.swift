import Foundation
import Testing
@testable import MemKit

@Suite struct RedactorTests {
    // Fake secrets, built so that no scanner mistakes this file for one holding real keys.
    static let openai = "sk-" + "abcDEF1234567890ghiJKL1234567890mnoPQR"
    static let openaiProject = "sk-" + "proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90"
    static let anthropic = "sk-" + "ant-" + "api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"
    static let google = "AI" + "zaSyD3x4mPl3K3yV4lu3F0rT3st1ngOnly12345"
    static let github = "gh" + "p_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    static let githubPat = "github" + "_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123"
    static let gitlab = "gl" + "pat-" + "xY3zAbCdEfGh1234IjKl"
    static let slack = "xo" + "xb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOp"
    static let aws = "AK" + "IA" + "IOSFODNN7EXAMPLE"
    static let awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY"
    static let stripe = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    static let huggingFace = "h" + "f_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"
    static let jwt = "ey" + "JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

    func redacted(_ text: String) -> String { Redactor.redact(text) }

    @Test(arguments: [
        (openai, "openai-key"), (openaiProject, "openai-key"), (anthropic, "anthropic-key"),
        (google, "google-api-key"), (github, "github-token"), (githubPat, "github-token"),
        (gitlab, "gitlab-token"), (slack, "slack-token"), (aws, "aws-access-key"),
        (stripe, "stripe-key"), (huggingFace, "huggingface-token"), (jwt, "jwt"),
    ])
    func providerKeysAreReplacedByATypedMarkerWhereverTheyStand(key: String, kind: String) {
        let surroundings = [
            "\(key)",
            "my key is \(key), keep it safe",
            "export SOMETHING=\(key)\n",
            "{\"value\": \"\(key)\"}",
            "(\(key))",
            "`\(key)`.",
            "line one\n\(key)\nline three",
            "token:\(key);",
        ]
        for text in surroundings {
            let out = redacted(text)
            #expect(!out.contains(key), "\(text)")
            #expect(out.contains("[REDACTED"), "\(text)")
        }
        #expect(redacted("use \(key) here") == "use [REDACTED:\(kind)] here")
    }

    @Test func anthropicAndProjectKeysAreNotMistakenForPlainOpenAIKeys() {
        #expect(redacted(Self.anthropic) == "[REDACTED:anthropic-key]")
        #expect(redacted(Self.openaiProject) == "[REDACTED:openai-key]")
    }

    @Test func bearerTokensAndAuthorizationHeadersLoseTheirCredentials() {
        #expect(redacted("curl -H 'Authorization: Bearer abc123def456ghi789jkl' https://api.example.com")
            == "curl -H 'Authorization: Bearer [REDACTED:authorization]' https://api.example.com")
        #expect(redacted("\"authorization\": \"Basic dXNlcjpwYXNzd29yZA==\"")
            == "\"authorization\": \"Basic [REDACTED:authorization]\"")
        #expect(redacted("send it as bearer 9f8e7d6c5b4a39281706abcdef in the header")
            == "send it as bearer [REDACTED:bearer-token] in the header")
        #expect(redacted("Authorization: Bearer $TOKEN") == "Authorization: Bearer $TOKEN")
    }

    @Test func privateKeyBlocksAreRemovedWhole() {
        let block = """
            -----BEGIN RSA PRIVATE KEY-----
            MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
            VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK
            -----END RSA PRIVATE KEY-----
            """
        let out = redacted("here is my key:\n\(block)\nthanks")
        #expect(out == "here is my key:\n[REDACTED:private-key]\nthanks")
        let openSSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----"
        #expect(redacted(openSSH) == "[REDACTED:private-key]")
        // Cut off before its END line: everything after BEGIN goes.
        #expect(redacted("key:\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk") == "key:\n[REDACTED:private-key]")
        // A public key or a certificate is not a secret.
        let pub = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"
        #expect(redacted(pub) == pub)
    }

    @Test func passwordAssignmentsLoseTheirValues() {
        #expect(redacted("password=hunter2") == "password=[REDACTED:password]")
        #expect(redacted("DB_PASSWORD: s3cr3t!pw") == "DB_PASSWORD: [REDACTED:password]")
        #expect(redacted("passwd: correct-horse") == "passwd: [REDACTED:password]")
        #expect(redacted("mysql -u root --pwd=Tr0ub4dor:3 db") == "mysql -u root --pwd=[REDACTED:password] db")
        #expect(redacted("https://x.example/login?user=me&password=hunter2&next=/")
            == "https://x.example/login?user=me&password=[REDACTED:password]&next=/")
        #expect(redacted("{\"password\": \"my secret phrase\"}") == "{\"password\": \"[REDACTED:password]\"}")
        #expect(redacted("my password is hunter2.") == "my password is [REDACTED:password].")
    }

    @Test func passwordPlaceholdersAndProseAreKept() {
        for text in [
            "password=$DB_PASSWORD", "password: ${PASS}", "password = getpass()", "def login(password: str):",
            "password: <your password>", "the password is required", "reset your password via email",
            "password = os.environ[\"PW\"]", "password: None", "if password == other:",
        ] {
            #expect(redacted(text) == text, "\(text)")
        }
    }

    @Test func keyLikeNamesHideTokenLikeValuesOnly() {
        #expect(redacted("OPENAI_API_KEY=3f9a8b7c6d5e4f3a2b1c0d9e") == "OPENAI_API_KEY=[REDACTED:secret]")
        #expect(redacted("aws_secret_access_key = \(Self.awsSecret)") == "aws_secret_access_key = [REDACTED:aws-secret-key]")
        #expect(redacted("\"apiKey\": \"q8W3e5R7t9Y1u3I5o7P9\"") == "\"apiKey\": \"[REDACTED:secret]\"")
        #expect(redacted("my token is 0a1b2c3d4e5f60718293a4b5c6d7e8f9") == "my token is [REDACTED:secret]")
        #expect(redacted("x-api-key: 12ab34cd56ef78ab90cd") == "x-api-key: [REDACTED:secret]")
        #expect(redacted("GITHUB_TOKEN=\(Self.github)") == "GITHUB_TOKEN=[REDACTED:github-token]")
        for text in [
            "max_tokens = 4096", "token: abc", "the secret is to keep it simple", "primary_key = id",
            "monkey = abcdef1234567890abcd", "tokenizer=cl100k_base", "key: /home/me/projects/file123.txt",
        ] {
            #expect(redacted(text) == text, "\(text)")
        }
    }

    @Test func urlCredentialsKeepTheUserButNotThePassword() {
        #expect(redacted("postgres://admin:s3cret@db.example.com:5432/app")
            == "postgres://admin:[REDACTED]@db.example.com:5432/app")
        #expect(redacted("clone https://me:ghtoken123@github.com/x/y.git now")
            == "clone https://me:[REDACTED]@github.com/x/y.git now")
        for text in ["https://example.com:8080/path?a=b", "ssh://git@github.com/x.git", "mailto:someone@example.com",
                     "https://user@example.com/"] {
            #expect(redacted(text) == text, "\(text)")
        }
    }

    @Test func ordinaryProseAndCodeAreKeptUnchanged() {
        let texts = [
            "I'm a Rust developer at Acme, working on a memory add-on for llm.",
            "Fixed in commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39, see the PR.",
            "The request id was 550e8400-e29b-41d4-a716-446655440000.",
            "let skipTokens = tokenizer.encode(text); task-sk-runner; risk-assessment-2024",
            "func hf_hub_download(repo_id: String) and AKIA is a prefix; ghp_ is too.",
            "Use `sk-` keys from the dashboard; the eyJ prefix marks a JWT.",
            "Passwords should be long. Tokens expire. Keys rotate.",
            "import numpy as np\nx = np.array([1, 2, 3])\nprint(x.sum())",
            "Café crème, naïve façade — 東京 🎉",
        ]
        for text in texts {
            #expect(redacted(text) == text, "\(text)")
            #expect(!Redactor.looksLikeSecret(text), "\(text)")
        }
    }

    @Test func severalSecretsInOneTextAreAllReplacedAndCounted() {
        let text = "a=\(Self.openai) b=\(Self.github) c=\(Self.slack) password=pw123"
        let (out, count) = Redactor.redactWithCount(text)
        #expect(count == 4)
        #expect(out == "a=[REDACTED:openai-key] b=[REDACTED:github-token] c=[REDACTED:slack-token] password=[REDACTED:password]")
    }

    @Test func looksLikeSecretFlagsKeysMarkersAndRandomTokensButNotHexOrWords() {
        #expect(Redactor.looksLikeSecret("Uses key \(Self.openaiProject)"))
        #expect(Redactor.looksLikeSecret("API key: [REDACTED:openai-key]"))
        #expect(Redactor.looksLikeSecret("Token Zq8W3e5R7t9Y1u3I5o7P9aSdF"))
        #expect(!Redactor.looksLikeSecret("Works on commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"))
        #expect(!Redactor.looksLikeSecret("Prefers PostgreSQL over MySQL"))
        #expect(!Redactor.looksLikeSecret("Maintains internationalization-infrastructure"))
    }

    /// (How fast a long paste is scanned is measured by the benchmark, scripts/bench.sh.)
    @Test func everySecretOfAHundredKilobyteTextIsRedactedAndNothingElse() {
        var text = ""
        var secrets = 0
        while text.utf8.count < 100_000 {
            text += "I work on llm plugins in Python and Swift; password handling uses token=\(Self.openai) now. "
            text += "See https://example.com/docs and commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39.\n"
            secrets += 1
        }
        let (redacted, count) = Redactor.redactWithCount(text)
        #expect(count == secrets)
        #expect(!redacted.contains(Self.openai))
        #expect(redacted.components(separatedBy: "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39").count == secrets + 1)
    }
}
