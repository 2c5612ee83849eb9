"""Words and numbers shared by every report: one formatter, one citation, one sentence per finding."""

from __future__ import annotations

from permitcheck.reports.reasons import sentence

_UNIT = {"ratio": "", "m": " m", "m2": " m²", "m3": " m³", "storeys": "", "h": " h"}


def number(x: float | None, unit: str) -> str:
    if x is None:
        return "—"
    text = _number(x, unit)
    if text.startswith("-") and not any(c in "123456789" for c in text.split(" ")[0]):  # no "-0.00"
        text = text[1:]
    return text


def _number(x: float, unit: str) -> str:
    if unit == "ratio":
        return f"{x * 100:.1f} %"
    if unit == "storeys":
        return f"{x:.0f}"
    if unit == "elements":  # a readiness finding: the elements that lack what the rules need
        return f"{x:.0f} element{'' if round(abs(x)) == 1 else 's'}"
    if unit == "spaces":
        return f"{x:g}"
    return f"{x:,.2f}{_UNIT.get(unit, ' ' + unit)}"


def citation(finding: dict, sources: dict, with_english: bool = True) -> str:
    """'건축법 시행령 (Enforcement Decree of the Building Act) 제86조 제1항 [building-act-decree]'."""
    cite = finding.get("citation") or {}
    if not cite and finding.get("kind") == "readiness":  # a pre-flight finding: the IDS is its source
        return f"pre-flight, {(finding.get('details') or {}).get('ids', 'IDS')}"
    if not cite and finding.get("kind") == "georeference":
        return "pre-flight, the model's georeference"
    src = sources.get(cite.get("source"), {})
    law = src.get("law") or ""
    if with_english and src.get("law_en"):
        law = f"{law} ({src['law_en']})" if law else src["law_en"]
    text = " ".join(s for s in (law, cite.get("article")) if s)
    return f"{text} [{cite['source']}]" if cite.get("source") else text


def explain(finding: dict) -> str:
    try:
        text = sentence(finding, number)
    except (KeyError, ValueError, TypeError):  # an unforeseen reason template must not lose the report
        text = str(finding.get("reason", ""))
    ex = (finding.get("details") or {}).get("exemption") or {}
    if ex and not ex.get("exempt") and ex.get("why_not"):  # the officer may know more than the site file
        text += f" (no exemption under {ex.get('citation', {}).get('article', '')}: {ex['why_not']})"
    return text


def massing_sentence(massing: dict) -> str:
    """How a massing model was read and its storeys derived, in one sentence."""
    turned = ", turned Z up" if massing["up"] == "y" else ""
    return (f"{massing['format']}, read in {massing['unit']}, {massing['up'].upper()} up{turned}; elements are its "
            f"{massing['parts_from']}; storeys and floor area derived from horizontal sections "
            f"({massing['parameters']}), REVIEW at best on rules that depend on them")
