"""A BCF reply read back: the comments and topic status changes an architect made in their BIM tool
on the topics `--format bcf` sent.

The zip comes from outside, so it is read as hostile: no member is extracted (names are only
compared), a member name that climbs out of the archive or is absolute refuses the file, sizes are
capped both as declared and as actually inflated (a zip bomb stops at the cap), and the XML is
parsed by defusedxml with DTDs forbidden (no entity expansion, no external entities). Snapshots and
viewpoints are not read. BCF 2.1 and 3.0 markup are both understood (3.0 nests comments in
`Topic/Comments`).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from permitcheck.errors import InputError

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 20_000
MAX_MARKUP_BYTES = 8 * 1024 * 1024  # one topic's markup.bcf, inflated
MAX_MARKUP_TOTAL = 256 * 1024 * 1024  # all markup read, inflated
MAX_TEXT = 10_000  # characters kept of one comment
SENT_STATUS = "Open"  # the status permitcheck.reports.bcf gives every topic


@dataclass(frozen=True)
class TopicReply:
    guid: str
    status: str | None
    modified_by: str | None
    modified_at: str | None
    comments: tuple[tuple[str, str | None, str | None, str], ...]  # (guid, author, date, text)


def _refuse(path: Path, why: str) -> InputError:
    return InputError(f"{path}: not a BCF reply we can read ({why}) — give the .bcf file the BIM tool exported")


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return not p.is_absolute() and ".." not in p.parts and ":" not in name and "\x00" not in name


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    if info.file_size > MAX_MARKUP_BYTES:
        raise _refuse(path, f"{info.filename!r} inflates to {info.file_size} bytes")
    with zf.open(info) as fh:
        data = fh.read(MAX_MARKUP_BYTES + 1)  # the declared size can lie: stop at the cap
    if len(data) > MAX_MARKUP_BYTES:
        raise _refuse(path, f"{info.filename!r} inflates past {MAX_MARKUP_BYTES} bytes")
    return data


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(el, name: str) -> str | None:
    for c in el:
        if _local(c.tag) == name:
            return (c.text or "").strip()
    return None


def _parse_markup(data: bytes, where: str, path: Path) -> TopicReply | None:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError) as e:
        raise _refuse(path, f"{where}: {type(e).__name__}: {str(e)[:120]}") from None
    topic = next((el for el in root.iter() if _local(el.tag) == "Topic"), None)
    if topic is None or not topic.get("Guid"):
        return None
    comments = []
    for el in root.iter():
        if _local(el.tag) == "Comment" and el.get("Guid"):
            text = _child_text(el, "Comment") or ""
            comments.append((el.get("Guid"), _child_text(el, "Author"), _child_text(el, "Date"), text[:MAX_TEXT]))
    return TopicReply(topic.get("Guid"), topic.get("TopicStatus") or _child_text(topic, "TopicStatus"),
                      _child_text(topic, "ModifiedAuthor"), _child_text(topic, "ModifiedDate"), tuple(comments))


def read_reply(path: str | Path) -> list[TopicReply]:
    """The topics of a BCF zip with their status and comments; InputError for anything not a safe BCF."""
    import importlib.util

    if importlib.util.find_spec("defusedxml") is None:  # before the file is opened
        raise InputError("reading a BCF reply needs defusedxml: pip install 'permitcheck[bcf]'")
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputError(f"{path}: cannot read the BCF reply ({e.strerror}) — check the path") from None
    if size > MAX_FILE_BYTES:
        raise _refuse(path, f"{size} bytes, over {MAX_FILE_BYTES // 2**20} MB")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise _refuse(path, f"not a zip: {e}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _refuse(path, f"{len(infos)} members")
        bad = next((i.filename for i in infos if not _safe_name(i.filename)), None)
        if bad is not None:
            raise _refuse(path, f"member {bad!r} points outside the archive")
        markups = [i for i in infos if PurePosixPath(i.filename).name == "markup.bcf"]
        if not markups:
            raise _refuse(path, "no topic (no markup.bcf)")
        total, topics = 0, []
        for info in markups:
            try:
                data = _read(zf, info, path)
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError) as e:
                raise _refuse(path, f"{info.filename!r}: {e}") from None
            total += len(data)
            if total > MAX_MARKUP_TOTAL:
                raise _refuse(path, f"its topics inflate past {MAX_MARKUP_TOTAL // 2**20} MB")
            reply = _parse_markup(data, info.filename, path)
            if reply is not None:
                topics.append(reply)
    return topics


def topics_of(result: dict) -> dict[str, str]:
    """Topic GUID -> rule, for the topics `--format bcf` writes for this result (the same GUIDs)."""
    from permitcheck.reports.bcf import TOPIC_STATUSES, topic_guid

    model = result.get("model") or {}
    sha = str(model.get("sha256") or (result.get("provenance") or {}).get("model_sha256")
              or str(model.get("path", "model")))
    seen: dict[str, int] = {}
    out = {}
    for f in result["findings"]:
        if f["status"] in TOPIC_STATUSES:
            rule = f["rule"]
            seen[rule] = seen.get(rule, 0) + 1
            out[topic_guid(sha, rule if seen[rule] == 1 else f"{rule}#{seen[rule]}")] = rule
    return out


@dataclass(frozen=True)
class ReadBack:
    recorded: int  # replies new to the store
    known: int  # replies read before
    foreign: int  # topics that are not this result's


def record_reply(result: dict, store: str | Path, path: str | Path) -> ReadBack:
    """Read a BCF reply and record, for this result, each comment and each status change on its topics
    (a reply read twice is recorded once); topics of another result are counted, not recorded."""
    from permitcheck.review.results import result_sha256
    from permitcheck.review.store import DecisionStore, Reply

    topics = read_reply(path)
    ours = topics_of(result)
    sha = result_sha256(result)
    recorded = known = foreign = 0
    with DecisionStore(store) as db:
        db.add_result(sha, result)
        for t in topics:
            rule = ours.get(t.guid)
            if rule is None:
                foreign += 1
                continue
            replies = [(Reply(rule, t.guid, "comment", author, at, text), f"comment:{guid}")
                       for guid, author, at, text in t.comments]
            if t.status and t.status != SENT_STATUS:
                replies.append((Reply(rule, t.guid, "status", t.modified_by, t.modified_at, t.status),
                                f"status:{t.status}:{t.modified_at or ''}"))
            for reply, key in replies:
                if db.add_reply(sha, reply, key, str(path)):
                    recorded += 1
                else:
                    known += 1
    if topics and foreign == len(topics):
        raise InputError(f"{path}: none of its {len(topics)} topics is one this result sent (a reply on another "
                         "submission?) — give the result the BCF was written from")
    return ReadBack(recorded, known, foreign)
