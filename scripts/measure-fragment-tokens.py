"""What the fragment costs per call, in tokens, for profiles of typical sizes.

Usage: python measure-fragment-tokens.py MEM_RENDER SCRATCH_DIR
(run by measure-fragment-tokens.sh, which provides a Python with bpe-openai).

Profiles are made of bullets written the way mem-propose's model writes them (short
facts under the four default sections, 20-90 characters, drawn from a fixed seed), at
10 to 300 bullets. Each is rendered twice by the real mem-render: whole (--max-chars
1000000) and at the default budget. Tokens are counted with OpenAI's cl100k_base (GPT-4,
GPT-3.5) and o200k_base (GPT-4o, o1…) encodings, from the bpe-openai package, which ships
them (tiktoken would download them at run time).
"""

import random
import subprocess
import sys

import bpe_openai

ROLES = ["backend engineer", "data scientist", "Rust developer", "site reliability engineer",
         "frontend developer", "PhD student in computational biology", "DevOps lead",
         "technical writer", "iOS developer", "security researcher", "product manager"]
EMPLOYERS = ["a logistics startup", "a mid-size bank", "a university lab", "an e-commerce company",
             "a game studio", "a public broadcaster", "a climate-tech nonprofit", "a hospital IT team"]
PLACES = ["Lisbon", "Berlin", "Toronto", "Melbourne", "Nairobi", "Osaka", "Austin, Texas", "Lyon"]
LANGS = ["Rust", "Go", "Python", "TypeScript", "Swift", "Kotlin", "Elixir", "C++", "Zig", "OCaml"]
THINGS = ["a CLI that syncs dotfiles across machines", "a Postgres migration tool",
          "an internal dashboard for on-call metrics", "a home-automation setup on a Raspberry Pi",
          "a static site generator for their blog", "a Kubernetes operator for batch jobs",
          "a small compiler for a teaching language", "an Android app for tracking runs",
          "a recommendation service for a music catalogue", "a plugin for the llm CLI",
          "a data pipeline that ingests sensor readings", "a browser extension for reading lists"]
TOPICS = ["type systems", "distributed databases", "woodworking", "bouldering", "sourdough baking",
          "jazz guitar", "retro computing", "urban cycling", "category theory", "birdwatching",
          "local-first software", "board game design", "film photography", "language learning (Japanese)"]
TOOLS = ["Neovim", "VS Code", "Emacs", "tmux", "fish shell", "zsh", "Docker", "Nix", "Git worktrees",
         "SQLite", "Postgres", "Terraform", "Jupyter notebooks", "Obsidian"]

PERSONAL = [
    lambda r: f"Role: {r.choice(ROLES)}",
    lambda r: f"Works at {r.choice(EMPLOYERS)}",
    lambda r: f"Lives in {r.choice(PLACES)}",
    lambda r: f"Has about {r.randint(2, 20)} years of experience with {r.choice(LANGS)}",
    lambda r: f"Speaks {r.choice(['Portuguese', 'German', 'French', 'Spanish', 'Japanese'])} and English",
    lambda r: f"Is on the on-call rotation every {r.choice(['third', 'fourth', 'sixth'])} week",
    lambda r: f"Works remotely, usually in the {r.choice(['CET', 'EST', 'PST', 'JST'])} time zone",
]
PROJECTS = [
    lambda r: f"Building {r.choice(THINGS)} in {r.choice(LANGS)}",
    lambda r: f"Migrating {r.choice(['a monolith', 'the billing service', 'CI pipelines', 'an old Perl codebase'])} to {r.choice(LANGS)}",
    lambda r: f"Writing a talk about {r.choice(TOPICS)} for a local meetup",
    lambda r: f"Maintains an open-source library for {r.choice(['parsing logs', 'rate limiting', 'date handling', 'CSV diffing'])}",
    lambda r: f"Preparing for a {r.choice(['system design', 'staff engineer', 'security'])} interview",
]
INTERESTS = [
    lambda r: f"Interested in {r.choice(TOPICS)}",
    lambda r: f"Enjoys {r.choice(TOPICS)} on weekends",
    lambda r: f"Reads about {r.choice(TOPICS)} and {r.choice(TOPICS)}",
    lambda r: f"Learning {r.choice(LANGS)} in spare time",
]
PREFERENCES = [
    lambda r: f"Prefers {r.choice(['concise', 'detailed', 'step-by-step'])} answers with code examples",
    lambda r: f"Uses {r.choice(TOOLS)} daily",
    lambda r: f"Prefers examples in {r.choice(LANGS)}",
    lambda r: f"Wants shell commands for {r.choice(['bash', 'zsh', 'fish'])} on {r.choice(['Linux', 'macOS'])}",
    lambda r: f"Dislikes {r.choice(['emoji in answers', 'long preambles', 'unexplained jargon', 'bulleted summaries'])}",
    lambda r: f"Prefers metric units and 24-hour time",
]
SECTIONS = [("Personal Information", PERSONAL, 0.2), ("Current Projects", PROJECTS, 0.3),
            ("Interests", INTERESTS, 0.25), ("Preferences", PREFERENCES, 0.25)]


def profile(bullets, seed=7):
    r = random.Random(seed)
    out = ["# User profile", ""]
    for name, makers, share in SECTIONS:
        out.append(f"## {name}")
        seen = set()
        count = max(1, round(bullets * share))
        while len(seen) < count:
            text = r.choice(makers)(r)
            if text in seen:
                text += f" ({len(seen)})"
            seen.add(text)
            out.append(f"- {text}")
        out.append("")
    return "\n".join(out)


def main():
    render, scratch = sys.argv[1], sys.argv[2]
    cl100k = bpe_openai.get_encoding("cl100k_base")
    o200k = bpe_openai.get_encoding("o200k_base")

    def rendered(path, *extra):
        done = subprocess.run([render, "--profile", path, *extra], capture_output=True, text=True, check=True)
        return done.stdout

    print(f"{'bullets':>8} {'chars/bullet':>12} | {'whole: chars':>12} {'cl100k':>7} {'o200k':>7} | "
          f"{'default budget: chars':>21} {'cl100k':>7} {'o200k':>7} {'injected':>9}")
    framing = None
    for n in [10, 20, 40, 60, 80, 100, 150, 300]:
        path = f"{scratch}/profile-{n}.md"
        text = profile(n)
        with open(path, "w") as f:
            f.write(text)
        whole = rendered(path, "--max-chars", "1000000")
        fitted = rendered(path)
        stats = rendered(path, "--stats").strip()
        bullet_lines = [line for line in text.splitlines() if line.startswith("- ")]
        per_bullet = sum(len(line) + 1 for line in bullet_lines) / len(bullet_lines)
        if framing is None:
            head = whole[: whole.index("\n\n") + 2] + "<!-- /llm-user-memory:fragment -->\n"
            framing = (len(head), len(cl100k.encode(head)), len(o200k.encode(head)))
        print(f"{len(bullet_lines):>8} {per_bullet:>12.1f} | {len(whole):>12} {len(cl100k.encode(whole)):>7} "
              f"{len(o200k.encode(whole)):>7} | {len(fitted):>21} {len(cl100k.encode(fitted)):>7} "
              f"{len(o200k.encode(fitted)):>7} {stats.split(' bullets')[0]:>9}")
    print(f"framing and markers alone: {framing[0]} characters, {framing[1]} cl100k / {framing[2]} o200k tokens")


main()
