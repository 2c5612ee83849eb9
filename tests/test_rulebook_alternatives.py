"""The schema of alternatives, conditions and limit expressions: refused clearly when written wrong."""

from __future__ import annotations

import pytest

from test_rulebook_errors import book, problems
from permitcheck.rulebook import load_rulebook


def test_any_of_loads_and_checks_inner_rules(tmp_path):
    p = book(tmp_path, """\
        - id: hs
          kind: any_of
          citation: {source: law, article: "1"}
          alternatives:
            - id: a
              rules:
                - {id: h, kind: max_height, limit: 12 m, citation: {source: law, article: "1"}}
            - id: b
              when: {corner_lot: true}
              rules:
                - {id: h2, kind: max_heigth, limit: 15 m, citation: {source: law, article: "1"}}
        """)
    (msg,) = problems(p)
    assert "alternatives[1].rules[0].kind: unknown rule kind 'max_heigth' — did you mean 'max_height'?" in msg
    assert msg.startswith(f"{p}:")


def test_one_alternative_is_no_choice_and_ids_must_differ(tmp_path):
    p = book(tmp_path, """\
        - id: hs
          kind: any_of
          citation: {source: law, article: "1"}
          alternatives:
            - id: a
              rules: [{id: h, kind: max_height, limit: 12 m, citation: {source: law, article: "1"}}]
        """)
    assert any("at least 2" in m for m in problems(p))


def test_inner_rule_ids_are_unique_in_the_zone_and_cite_known_sources(tmp_path):
    p = book(tmp_path, """\
        - {id: h, kind: max_height, limit: 12 m, citation: {source: law, article: "1"}}
        - id: hs
          kind: any_of
          citation: {source: law, article: "1"}
          alternatives:
            - id: a
              rules: [{id: h, kind: max_height, limit: 12 m, citation: {source: nolaw, article: "1"}}]
            - id: b
              rules: [{id: h3, kind: manual, question: "Is it fine?", citation: {source: law, article: "1"}}]
        """)
    got = problems(p)
    assert any("rule id 'h' is used twice" in m for m in got)
    assert any("unknown source 'nolaw'" in m for m in got)


@pytest.mark.parametrize("limit, needle", [
    ("{min: [200 %]}", "two or more terms"),
    ("{of: parcel_area, times: 0.4}", "one of front_road_width, lot_width, lot_depth"),
    ("{of: front_road_width, times: -1}", "non-negative"),
    ("{when: {corner_lot: true, flag: x}, then: 1, else: 2}", "exactly one thing"),
    ("{when: {corner_lot: true}, then: 1}", "got keys then, when"),
    ("{site: '../etc'}", "the name of a parcel property"),
    ("{min: ['1,000 %', 2]}", "digits grouped"),
])
def test_limit_expressions_are_refused_with_the_fix(tmp_path, limit, needle):
    p = book(tmp_path, f"""\
        - id: far
          kind: max_far
          limit: {limit}
          citation: {{source: law, article: "1"}}
        """)
    assert any(needle in m for m in problems(p)), problems(p)


def test_conditions_are_refused_with_the_fix(tmp_path):
    p = book(tmp_path, """\
        - id: far
          kind: max_far
          limit: 2
          when: {declared: {a: 1, b: 2}}
          citation: {source: law, article: "1"}
        """)
    assert any("'declared' names one key" in m for m in problems(p))


EXTENDING = """\
rulebook: c
title: child
jurisdiction: XX
version: "1"
effective_from: 2024-01-01
extends: book.yaml
zones:
  Z1:
    rules:
"""


@pytest.mark.parametrize("child, loosens", [
    ("- {id: far, kind: max_far, limit: 2, citation: {source: law, article: '1'}}", True),  # plain for an expression
    ("- {id: far, kind: max_far, limit: {when: {corner_lot: true}, then: 1.5, else: 1}, "
     "citation: {source: law, article: '1'}}", False),  # the same expression
    ("- {id: h, kind: max_height, limit: 10 m, when: {corner_lot: false}, citation: {source: law, article: '1'}}",
     True),  # a condition of its own switches the rule off elsewhere
    ("- {id: h, kind: max_height, limit: 10 m, citation: {source: law, article: '1'}}", False),
])
def test_an_extending_rulebook_may_not_loosen_through_conditions_or_expressions(tmp_path, child, loosens):
    book(tmp_path, """\
        - {id: far, kind: max_far, limit: {when: {corner_lot: true}, then: 1.5, else: 1}, citation: {source: law, article: "1"}}
        - {id: h, kind: max_height, limit: 12 m, citation: {source: law, article: "1"}}
        """)
    p = tmp_path / "child.yaml"
    p.write_text(EXTENDING + "      " + child + "\n")
    if loosens:
        assert any("loosens the rule it replaces" in m for m in problems(p))
    else:
        load_rulebook(p)


def test_adding_an_alternative_loosens(tmp_path):
    alt = "{{id: {0}, rules: [{{id: h{0}, kind: max_height, limit: 12 m, citation: {{source: law, article: '1'}}}}]}}"
    book(tmp_path, f"""\
        - {{id: hs, kind: any_of, citation: {{source: law, article: "1"}}, alternatives: [{alt.format('a')}, {alt.format('b')}]}}
        """)
    p = tmp_path / "child.yaml"
    p.write_text(EXTENDING + "      - {id: hs, kind: any_of, citation: {source: law, article: '1'}, alternatives: ["
                 + ", ".join(alt.format(x) for x in "abc") + "]}\n")
    assert any("loosens" in m for m in problems(p))


def test_loosening_inside_an_alternative_or_a_window_ratio_or_a_rooftop_allowance_is_refused(tmp_path):
    rule = lambda h: ("{id: hs, kind: any_of, citation: {source: law, article: '1'}, alternatives: ["
                      f"{{id: a, rules: [{{id: h, kind: max_height, limit: {h}, citation: {{source: law, article: '1'}}}}]}},"
                      "{id: b, rules: [{id: w, kind: window_setback, ratio: 2, citation: {source: law, article: '1'}}]}]}")
    book(tmp_path, "- " + rule("10 m") + "\n"
         "- {id: ah, kind: max_height, limit: 12 m, rooftop_free: 5 m, citation: {source: law, article: '1'}}\n")
    for child, bad in ((rule("1000 m"), True), (rule("9 m"), False),
                       ("{id: ah, kind: max_height, limit: 12 m, citation: {source: law, article: '1'}}", True),
                       ("{id: ah, kind: max_height, limit: 12 m, rooftop_free: 4 m, citation: {source: law, article: '1'}}",
                        False)):
        p = tmp_path / "child.yaml"
        p.write_text(EXTENDING + "      - " + child + "\n")
        if bad:
            assert any("loosens" in m for m in problems(p)), child
        else:
            load_rulebook(p)


def test_ids_and_applies_in_inside_alternatives(tmp_path):
    p = book(tmp_path, """\
        - id: hs
          kind: any_of
          citation: {source: law, article: "1"}
          alternatives:
            - id: a
              rules: [{id: h, kind: max_height, limit: 12 m, applies_in: [Z1], citation: {source: law, article: "1"}}]
            - id: b
              rules: [{id: h, kind: max_height, limit: 15 m, citation: {source: law, article: "1"}}]
        """)
    got = problems(p)
    assert any("put applies_in on the any_of" in m for m in got)
    assert any("rule ids h are used twice" in m for m in got)


def test_an_any_of_in_force_with_no_alternative_open_fails():
    from permitcheck.checks.alternatives import Outcome, combine
    from permitcheck.results import Status

    closed = [Outcome("a", "a", Status.NOT_APPLICABLE, (), False), Outcome("b", "b", Status.NOT_APPLICABLE, (), False)]
    m = combine(closed)
    assert m.status == Status.FAIL and m.reason == "no_alternative_open"
