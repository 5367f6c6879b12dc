"""The matching rule and the checks of scenario files (run by `make test`, before the
evaluation itself): a figure is only as honest as the rule that counts it."""
import json
import tempfile
import unittest
from pathlib import Path

import scenarios


def fact(any_, unless=(), stale=False):
    return scenarios._fact({"fact": "f", "any": list(any_), "unless": list(unless)}, "test", stale)


class MatchingRule(unittest.TestCase):
    def test_every_keyword_of_an_alternative_must_be_in_the_same_bullet(self):
        f = fact(["backend engineer"])
        self.assertTrue(f.matches("Role: Engineer on the BACKEND team"))
        self.assertFalse(f.matches("Role: backend developer"))
        self.assertEqual(f.bullets_holding(["Works on the backend", "Role: engineer"]), [])

    def test_one_alternative_is_enough(self):
        self.assertTrue(fact(["backend engineer", "backend team"]).matches("Moved to the backend team"))

    def test_keywords_are_whole_words_unless_they_end_in_a_star(self):
        self.assertFalse(fact(["rust"]).matches("Trusts nobody"))
        self.assertFalse(fact(["go"]).matches("Goes bouldering"))
        self.assertTrue(fact(["postdoc*"]).matches("Postdoctoral researcher"))
        self.assertTrue(fact(["c++"]).matches("Writes C++ daily"))

    def test_accents_and_case_are_matched_as_written(self):
        self.assertTrue(fact(["lucía"]).matches("Name: LUCÍA"))
        self.assertFalse(fact(["lucía"]).matches("Name: Lucia"))

    def test_unless_phrases_keep_a_bullet_from_counting(self):
        f = fact(["go"], unless=["over", "rather than"])
        self.assertFalse(f.matches("Prefers Python over Go"))
        self.assertFalse(f.matches("Uses Python rather than Go"))
        self.assertTrue(f.matches("Likes Go"))

    def test_a_stale_fact_stated_as_the_past_is_not_held(self):
        f = fact(["amsterdam"], stale=True)
        self.assertFalse(f.matches("Lives in Lisbon (moved from Amsterdam)"))
        self.assertFalse(f.matches("Previously lived in Amsterdam"))
        self.assertTrue(f.matches("Lives in Amsterdam"))
        self.assertTrue(fact(["amsterdam"]).matches("Lives in Lisbon (moved from Amsterdam)"))


class ScenarioFiles(unittest.TestCase):
    def load(self, data):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "x.json"
            path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
            return scenarios.load(path)

    def valid(self):
        return {"about": "a", "sessions": [[{"prompt": "p", "reply": "r"}]],
                "expect": {"hold": [{"fact": "f", "any": ["x"]}]}}

    def test_a_valid_file_loads_with_its_sessions_and_facts(self):
        s = self.load(self.valid())
        self.assertEqual((s.name, len(s.sessions), len(s.hold)), ("x", 1, 1))

    def test_invalid_files_are_refused_with_the_place_named(self):
        cases = {"not json": "{", "typo": ("sessions", [[{"prompt": "p", "reply": "r", "sytem": "s"}]]),
                 "empty session": ("sessions", [[]]), "no facts": ("expect", {"hold": []}),
                 "empty keyword": ("expect", {"hold": [{"fact": "f", "any": [" "]}]}),
                 "late system": ("sessions", [[{"prompt": "p", "reply": "r"},
                                               {"prompt": "p", "reply": "r", "system": "s"}]])}
        for name, change in cases.items():
            data = change if isinstance(change, str) else {**self.valid(), change[0]: change[1]}
            with self.subTest(name), self.assertRaises(scenarios.ScenarioError) as caught:
                self.load(data)
            self.assertIn("x.json", str(caught.exception))

    def test_every_scenario_in_the_repository_loads(self):
        files = sorted((Path(__file__).parent / "scenarios").glob("*.json"))
        self.assertGreaterEqual(len(files), 12)
        for path in files:
            with self.subTest(path.name):
                scenarios.load(path)


if __name__ == "__main__":
    unittest.main()
