"""The BCF 2.1 files, written as bcf-client writes them, with the standard library.

bcf-client (with xsdata, lxml and, through them, urllib and ssl) takes 0.1 s to import in every
process that writes a BCF, more than the check of a small model. What `permitcheck.reports.bcf`
writes is a handful of elements, so they are written here: the same elements in the schema's order,
the same escaping, indentation, number and date forms, and the same zip entries
(tests/test_report_bcf_xml.py compares every file with bcf-client's). An element is a tuple
(tag, attributes, children), where children is a text, a list of elements, or None (left out).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema"'
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;",
                       "\r": "&#13;"})


def number(x: float) -> str:
    """xsdata's form of a float: repr, upper-case exponent without '+' ('1E20', '1.5E-07')."""
    x = float(x)
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "INF" if x > 0 else "-INF"
    return repr(x).upper().replace("E+", "E")


def date_time(when: dt.datetime) -> str:
    """xsdata's XmlDateTime form: milli- or microseconds as needed, 'Z' for UTC, none when naive."""
    t = f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:{when.second:02d}"
    if when.microsecond:
        milli, micro = divmod(when.microsecond, 1000)
        t += f".{when.microsecond:06d}" if micro else f".{milli:03d}"
    offset = when.utcoffset()
    if offset is None:
        return t
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return t + "Z"
    hh, mm = divmod(abs(minutes), 60)
    return f"{t}{'-' if minutes < 0 else '+'}{hh:02d}:{mm:02d}"


def document(root: tuple) -> str:
    """An XML file: the declaration, then `root` (with the xs namespace bcf-client declares), indented by two."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _element(root, 0, out, XS)
    out.append("\n")
    return "".join(out)


def _element(el: tuple, depth: int, out: list[str], namespace: str = "") -> None:
    tag, attrs, children = el
    pad = "  " * depth
    head = " ".join([tag] + ([namespace] if namespace else []) +
                    [f'{k}="{str(v).translate(_ATTR)}"' for k, v in attrs.items() if v is not None])
    if isinstance(children, list):
        kids = [c for c in children if c[2] is not None]
        if not kids:
            out.append(f"{pad}<{head}/>")
            return
        out.append(f"{pad}<{head}>\n")
        for child in kids:
            _element(child, depth + 1, out)
            out.append("\n")
        out.append(f"{pad}</{tag}>")
    elif children == "":
        out.append(f"{pad}<{head}/>")
    else:
        out.append(f"{pad}<{head}>{children.translate(_TEXT)}</{tag}>")


def zipped(entries: list[tuple[str, bytes | str]]) -> bytes:
    """The zip bcf-client writes: deflated, in this order, a folder as an empty 'name/' entry, every
    entry marked as made on Windows (so no Unix permissions are read from it)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED, True) as z:
        for name, content in entries:
            z.writestr(name, content)
        for info in z.filelist:
            info.create_system = 0
    return data.getvalue()
