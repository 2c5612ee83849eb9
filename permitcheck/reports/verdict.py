"""What a reader needs first and last: the verdict line, the counts, limits with their direction, the
elements by name, and one heading for one breach that two rules of the same law report.

Shared by the terminal (and `--quiet`), HTML and PDF reports; reads only the result dict.
"""

from __future__ import annotations

ORDER = ("FAIL", "ERROR", "UNKNOWN", "REVIEW", "PASS", "NOT_APPLICABLE")
WORDS = {"FAIL": "fail", "ERROR": "error", "UNKNOWN": "unknown", "REVIEW": "to review", "PASS": "pass",
         "NOT_APPLICABLE": "n/a"}
MEANING = {"PASS": "compliant", "FAIL": "not compliant", "REVIEW": "a person must decide",
           "UNKNOWN": "a needed fact is missing", "ERROR": "a check failed"}
NEEDS_ATTENTION = ("FAIL", "REVIEW", "UNKNOWN", "ERROR")
# Kinds whose figure must stay at or under the limit, and those that must reach it: used when the
# margin cannot tell (measured equal to the limit, or no margin).
_AT_MOST = ("max_height", "max_storeys", "max_coverage", "max_far", "max_footprint_area", "within", "envelope",
            "shadow_hours", "readiness")  # readiness: the elements lacking data, at most none
_AT_LEAST = ("min_setback", "plane", "window_setback", "min_parking", "sunlight_hours")


def counts(findings: list) -> dict[str, int]:
    """Findings (top level: an any_of counts once) per status, in ORDER, zero counts left out."""
    n: dict[str, int] = {}
    for f in findings:
        n[f["status"]] = n.get(f["status"], 0) + 1
    return {s: n[s] for s in ORDER if n.get(s)}


def counts_text(findings: list) -> str:
    """'13 rules: 2 fail, 7 pass, 4 n/a'."""
    c = counts(findings)
    parts = ", ".join(f"{k} {WORDS[s]}" for s, k in c.items())
    return f"{sum(c.values())} rules: {parts}" if parts else "no rules"


def verdict_line(result: dict) -> str:
    """One line (under 80 columns for the usual counts): the verdict, what it means, the counts."""
    v = result["verdict"]
    return f"{v}: {MEANING.get(v, v.lower())} — {counts_text(result.get('findings') or [])}"


def bound(finding: dict) -> str:
    """'≤' when the figure must stay at or under the limit, '≥' when it must reach it, '' when neither is known."""
    m, lim, margin = finding.get("measured"), finding.get("limit"), finding.get("margin")
    if m is not None and lim is not None and margin is not None and abs(m - lim) > 1e-9:
        if abs((lim - m) - margin) <= 1e-6 * max(1.0, abs(margin)):
            return "≤"
        if abs((m - lim) - margin) <= 1e-6 * max(1.0, abs(margin)):
            return "≥"
    kind = finding.get("kind") or ""
    if kind in _AT_MOST or kind.startswith("max_"):
        return "≤"
    if kind in _AT_LEAST or kind.startswith("min_"):
        return "≥"
    return ""


def limit_text(finding: dict, number) -> str:
    """The limit as a reader writes it: '≤ 60.0 %', '≥ 16.65 m'; '—' when there is none."""
    if finding.get("limit") is None:
        return "—"
    b = bound(finding)
    return f"{b} {number(finding['limit'], finding.get('unit', ''))}" if b else number(finding["limit"],
                                                                                      finding.get("unit", ""))


def element_label(gid: str, elements: dict) -> str:
    """"IfcSlab 'Level 6 floor slab' (0VwikpQszMnhwvBRqCTKKl)": class and name first, the GlobalId after."""
    e = elements.get(gid) or {}
    cls, name = e.get("ifc_class"), e.get("name")
    head = " ".join(x for x in (cls, f"'{name}'" if name else None) if x)
    return f"{head} ({gid})" if head else str(gid)


def elements_text(gids: list, elements: dict, most: int = 5) -> str:
    shown = ", ".join(element_label(g, elements) for g in gids[:most])
    return shown + (f" and {len(gids) - most} more" if len(gids) > most else "")


def law_and_article(finding: dict, sources: dict) -> str:
    """'건축법 시행령 제86조 제1항': the law's name and the article, nothing internal (no source key, grade, note)."""
    cite = finding.get("citation") or {}
    if not cite:
        return ""
    src = sources.get(cite.get("source"), {})
    return " ".join(s for s in (src.get("law") or "", cite.get("article") or "") if s).strip()


def reader_citation(finding: dict, sources: dict) -> str:
    """The citation a reader sees: the law, the article and, when the rulebook gives it, the date the text
    read is in force — never the rulebook's source key, grade, notes or the files they name."""
    cite = finding.get("citation") or {}
    if not cite:
        kind = finding.get("kind")
        return "pre-flight check of the model's data" if kind == "readiness" else \
            "pre-flight check of the model's georeference" if kind == "georeference" else ""
    text = law_and_article(finding, sources)
    effective = (sources.get(cite.get("source"), {}) or {}).get("effective")
    return f"{text} (in force {effective})" if text and effective else text


def groups(findings, sources: dict) -> list[tuple[str, list[dict]]]:
    """`findings` (those a report explains), one group per breach: findings of the same status citing the
    same law and article on shared elements (a per-part rule and its 3D twin) form one group, headed by
    that citation; every other finding is a group of its own, headed by ''."""
    out: list[tuple[str, list[dict]]] = []
    for f in findings:
        cite = law_and_article(f, sources)
        for heading, members in out:
            first = members[0]
            if (cite and law_and_article(first, sources) == cite and first["status"] == f["status"]
                    and set(first.get("global_ids") or ()) & set(f.get("global_ids") or ())):
                members.append(f)
                break
        else:
            out.append(("", [f]))
    return [(law_and_article(m[0], sources) if len(m) > 1 else "", m) for _, m in out]
