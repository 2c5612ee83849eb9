"""Rulebooks as an attacker or a careless editor writes them: one clean line each, bounded time, no leak."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from permitcheck.rulebook import RulebookError, load_rulebook
from test_rulebook_errors import HEAD, book, problems

RULE = """\
- id: height
  kind: max_height
  limit: 12 m
  citation: {source: law, article: "1"}
"""


def _bytes(tmp_path, raw: bytes, name="book.yaml"):
    p = tmp_path / name
    p.write_bytes(raw)
    return p


@pytest.mark.parametrize("encode,needle", [
    (lambda t: t.replace("test", "시험").encode("euc-kr"), "not UTF-8"),
    (lambda t: t.encode("utf-16"), "UTF-16"),
    (lambda t: t.encode() + b"\n# \xff\xfe stray\n", "not UTF-8"),
])
def test_a_rulebook_that_is_not_utf8_says_so(tmp_path, encode, needle):
    p = _bytes(tmp_path, encode(HEAD + "      " + RULE.replace("\n", "\n      ")))
    (msg,) = problems(p)
    assert needle in msg and str(p) in msg


def test_a_utf8_bom_is_fine(tmp_path):
    p = _bytes(tmp_path, b"\xef\xbb\xbf" + (HEAD + "      " + RULE.replace("\n", "\n      ")).encode())
    assert load_rulebook(p).book.rulebook == "t"


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    p = _bytes(tmp_path, (HEAD.replace("zones:", "\n".join(levels) + "\nzones:") + "      []\n").encode())
    t0 = time.perf_counter()
    (msg,) = problems(p)
    assert "aliases" in msg
    assert time.perf_counter() - t0 < 5


def test_a_self_containing_alias_is_refused(tmp_path):
    p = _bytes(tmp_path, (HEAD + "      - &loop [*loop]\n").encode())
    assert problems(p)


def test_a_huge_rulebook_is_refused_by_size(tmp_path):
    p = _bytes(tmp_path, (HEAD + "      []\n" + "# padding\n" * 2_000_000).encode())
    t0 = time.perf_counter()
    (msg,) = problems(p)
    assert "larger than" in msg
    assert time.perf_counter() - t0 < 5


def test_yaml_nested_thousands_deep_is_one_line(tmp_path):
    p = _bytes(tmp_path, (HEAD + "      " + "[" * 50_000 + "]" * 50_000 + "\n").encode())
    assert problems(p)


def test_python_tags_are_not_constructed(tmp_path):
    p = _bytes(tmp_path, (HEAD + "      - !!python/object/apply:os.system ['echo pwned']\n").encode())
    (msg,) = problems(p)
    assert "not valid YAML" in msg


def _child(tmp_path, extends: str, name="child.yaml"):
    head = HEAD.replace("rulebook: t", f"rulebook: c\nextends: '{extends}'")
    return book(tmp_path, "[]", name=name, head=head)


@pytest.mark.parametrize("target", ["/dev/zero", "/etc/passwd", "/etc/shadow", "../outside.yaml"])
def test_extends_outside_the_rulebooks_folder_is_refused_without_reading_it(tmp_path, target):
    (tmp_path / "outside.yaml").write_text("root:x:0:0:root:/root:/bin/bash\n")
    inner = tmp_path / "books"
    inner.mkdir()
    p = _child(inner, target)
    t0 = time.perf_counter()
    (msg,) = problems(p)
    assert "outside the rulebook's folder" in msg
    assert "root:x" not in msg
    assert time.perf_counter() - t0 < 5


def test_extends_may_name_a_configured_rules_path(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    book(shared, RULE, name="parent.yaml")
    city = tmp_path / "city"
    city.mkdir()
    p = _child(city, "../shared/parent.yaml")
    with pytest.raises(RulebookError, match="outside the rulebook's folder"):
        load_rulebook(p)
    assert load_rulebook(p, rules_path=(shared,)).parent.book.rulebook == "t"


def test_extends_of_a_folder_or_a_non_yaml_file_is_refused(tmp_path):
    (tmp_path / "sub.yaml").mkdir()
    (tmp_path / "notes.txt").write_text("secret: 1\n")
    assert "not a regular file" in problems(_child(tmp_path, "sub.yaml"))[0]
    assert "not a .yaml rulebook" in problems(_child(tmp_path, "notes.txt", name="c2.yaml"))[0]


def test_the_rulebook_itself_must_be_a_regular_file(tmp_path):
    (msg,) = problems(tmp_path)
    assert "not a regular file" in msg
    if os.path.exists("/dev/zero"):
        (msg,) = problems("/dev/zero")
        assert "not a regular file" in msg


@pytest.mark.parametrize("rules,needle", [
    ("""\
     - id: north
       kind: plane
       from: north
       slope: 2
       clear: {distance: -1.5 m}
       citation: {source: law, article: "1"}
     """, "rules[0].clear.distance: must not be negative"),
    ("""\
     - id: north
       kind: plane
       from: north
       slope: 2
       above: -10 m
       citation: {source: law, article: "1"}
     """, "rules[0].above: must not be negative"),
    ("""\
     - id: height
       kind: max_height
       limit: -12 m
       citation: {source: law, article: "1"}
     """, "rules[0].limit: must not be negative"),
    ("""\
     - id: area
       kind: max_footprint_area
       limit: 1,000 m2
       citation: {source: law, article: "1"}
     """, "digits grouped or a decimal comma"),
    ("""\
     - id: height
       kind: max_height
       limit: .nan
       citation: {source: law, article: "1"}
     """, "finite"),
])
def test_negative_and_ambiguous_quantities_are_refused_with_their_key_path(tmp_path, rules, needle):
    got = problems(book(tmp_path, rules))
    assert any(needle in m for m in got), got


def test_negative_tolerance_is_refused(tmp_path):
    head = HEAD.replace("zones:", "measurement_profile: {length_tolerance: -0.05 m}\nzones:")
    got = problems(book(tmp_path, "[]", head=head))
    assert any("measurement_profile.length_tolerance: must not be negative" in m for m in got), got


@pytest.mark.parametrize("zones", ["  Z1: {rules: 5}\n", "  Z1: 7\n", "  - Z1\n"])
def test_zones_of_the_wrong_type_are_one_line(tmp_path, zones):
    p = _bytes(tmp_path, HEAD.split("zones:")[0].encode() + b"zones:\n" + zones.encode())
    assert problems(p)


def test_cli_never_echoes_a_file_outside_the_rules(tmp_path):
    p = _child(tmp_path, "/etc/passwd")
    proc = subprocess.run([sys.executable, "-m", "permitcheck", "rules", "validate", str(p)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "root:" not in proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_shipped_rulebooks_still_load():
    for p in sorted((ROOT / "rules").rglob("*.yaml")):
        assert load_rulebook(p).book.rulebook


def test_a_key_written_twice_is_refused_not_silently_dropped(tmp_path):
    p = _bytes(tmp_path, (HEAD + "      []\nrules: []\nrules:\n  - {id: x}\n").encode())
    (msg,) = problems(p)
    assert "key 'rules' is written twice" in msg


@pytest.mark.parametrize("value", ["!!int abc", "!!float x", "!!timestamp 2020-99-99"])
def test_a_tagged_value_that_does_not_construct_is_one_line(tmp_path, value):
    p = _bytes(tmp_path, (HEAD.replace("version: \"1\"", f"version: {value}") + "      []\n").encode())
    assert problems(p)


@pytest.mark.parametrize("target", ["a\x00b.yaml", "x" * 5000 + ".yaml"])
def test_extends_that_is_no_file_name_is_one_line(tmp_path, target):
    head = HEAD.replace("rulebook: t", f"rulebook: c\nextends: {json.dumps(target)}")
    (msg,) = problems(_bytes(tmp_path, (head + "      []\n").encode()))
    assert "not a usable file name" in msg


def test_a_rulebook_of_thousands_of_rules_is_refused(tmp_path):
    rule = "      - {id: h%d, kind: max_height, limit: 12 m, citation: {source: law, article: '1'}}\n"
    p = _bytes(tmp_path, (HEAD + "".join(rule % i for i in range(600))).encode())
    (msg,) = problems(p)
    assert "600 rules" in msg


@pytest.mark.parametrize("kind", ["null", "7", "[max_height]"])
def test_a_rule_whose_kind_is_not_a_name_is_one_line(tmp_path, kind):
    got = problems(book(tmp_path, f"""\
        - id: h
          kind: {kind}
          limit: 12 m
          citation: {{source: law, article: "1"}}
        """))
    assert any("a rule needs a kind" in m for m in got), got
