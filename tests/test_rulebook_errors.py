"""A bad rulebook is refused with file, line, key path and a fix; `rules validate` lists every problem."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from permitcheck.rulebook import RulebookError, load_rulebook

HEAD = """\
rulebook: t
title: test
jurisdiction: XX
version: "1"
effective_from: 2024-01-01
sources:
  law: {law: A law, grade: P}
zones:
  Z1:
    names: [zone one]
    rules:
"""


def book(tmp_path, rules: str, name="book.yaml", head=HEAD):
    p = tmp_path / name
    p.write_text(head + textwrap.indent(textwrap.dedent(rules), "      "))
    return p


def problems(path) -> list[str]:
    with pytest.raises(RulebookError) as e:
        load_rulebook(path)
    return e.value.problems


def test_typo_key_names_line_path_and_suggestion(tmp_path):
    p = book(tmp_path, """\
        - id: coverage
          kind: max_coverage
          limt: 60 %
          citation: {source: law, article: "1"}
        """)
    got = problems(p)
    assert f"{p}:14: zones.Z1.rules[0].limt: unknown key 'limt' — did you mean 'limit'?" in got


def test_wrong_unit_is_explained(tmp_path):
    p = book(tmp_path, """\
        - id: height
          kind: max_height
          limit: 12 m2
          citation: {source: law, article: "1"}
        """)
    (msg,) = problems(p)
    assert msg.startswith(f"{p}:14: zones.Z1.rules[0].limit: expected a length (m, ft, ...)")
    assert "'12 m'" in msg


@pytest.mark.parametrize("limit,expect", [("60 m", "expected a ratio or a percentage"),
                                          ("60", "between 0 and 1"), ("12", None)])
def test_coverage_units(tmp_path, limit, expect):
    kind = "max_height" if expect is None else "max_coverage"
    p = book(tmp_path, f"""\
        - id: r
          kind: {kind}
          limit: {limit}
          citation: {{source: law, article: "1"}}
        """)
    (msg,) = problems(p)
    assert (expect or "got no unit") in msg


def test_unknown_rule_kind_is_refused_not_skipped(tmp_path):
    p = book(tmp_path, """\
        - id: sky
          kind: sky_factor
          limit: 0.5
          citation: {source: law, article: "1"}
        """)
    (msg,) = problems(p)
    assert msg.startswith(f"{p}:13: zones.Z1.rules[0].kind: unknown rule kind 'sky_factor'")
    assert "refused, never skipped" in msg


def test_unknown_source_and_zone(tmp_path):
    p = book(tmp_path, """\
        - id: h
          kind: max_height
          limit: 12 m
          applies_in: [Z9]
          citation: {source: lawx, article: "1"}
        """)
    got = problems(p)
    assert any("unknown source 'lawx'" in g for g in got)
    assert any("unknown zone 'Z9'" in g for g in got)


def test_extending_rulebook_may_only_narrow(tmp_path):
    book(tmp_path, """\
        - id: far
          kind: max_far
          limit: 250 %
          citation: {source: law, article: "85"}
        """, name="parent.yaml")
    child = book(tmp_path, """\
        - id: far
          kind: max_far
          limit: 260 %
          citation: {source: law, article: "61"}
        """, name="child.yaml", head=HEAD.replace("rulebook: t", "rulebook: c\nextends: parent.yaml"))
    (msg,) = problems(child)
    assert "loosens the rule it replaces" in msg and "parent.yaml" in msg
    narrower = child.read_text().replace("260 %", "200 %")
    child.write_text(narrower)
    assert load_rulebook(child).parent is not None


SETBACK = """\
    - id: n
      kind: min_setback
      from: north
      distance: 3 m
      citation: {source: law, article: "1"}
    """
CHILD = HEAD.replace("rulebook: t", "rulebook: c\nextends: parent.yaml")


@pytest.mark.parametrize("parent_extra, child_extra, loosens", [
    ("", "exempt_if: {land_across_not_in: [Z1], citation: {source: law, article: '2'}}", True),
    ("", "street: {at_least: 1000 m}", True),  # switched off on every street narrower than that
    ("street: {at_least: 75 ft}", "street: {at_least: 50 ft}", False),  # more streets than the parent: fine
    ("street: {at_least: 75 ft}", "street: {at_least: 100 ft}", True),
])
def test_an_extension_may_not_switch_a_rule_off_where_the_parent_applies_it(tmp_path, parent_extra, child_extra,
                                                                              loosens):
    def rule(extra):
        return SETBACK + (textwrap.indent(extra + "\n", "  ") if extra else "")

    book(tmp_path, rule(parent_extra), name="parent.yaml")
    child = book(tmp_path, rule(child_extra), name="child.yaml", head=CHILD)
    if loosens:
        (msg,) = problems(child)
        assert "loosens the rule it replaces" in msg
    else:
        assert load_rulebook(child).parent is not None


def test_yaml_syntax_error_has_a_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("rulebook: t\nzones: [\n")
    (msg,) = problems(p)
    assert msg.startswith(f"{p}:") and "not valid YAML" in msg


def test_yaml_is_loaded_safely(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text("rulebook: !!python/object/apply:os.system ['echo pwned']\n")
    (msg,) = problems(p)
    assert "not valid YAML" in msg


def test_rules_validate_cli(tmp_path):
    p = book(tmp_path, """\
        - id: a
          kind: max_heigth
          limit: 12 m
          citation: {source: law, article: "1"}
        - id: b
          kind: max_height
          limit: 12 parsecs
          citation: {source: law, article: "1"}
        """)
    proc = subprocess.run([sys.executable, "-m", "permitcheck", "rules", "validate", str(p)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2 and "did you mean 'max_height'" in lines[0] and "parsecs" in lines[1]
    ok = subprocess.run([sys.executable, "-m", "permitcheck", "rules", "validate",
                         *map(str, sorted((ROOT / "rules").rglob("*.yaml")))],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
