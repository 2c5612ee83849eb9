"""permitcheck review --bcf: the architect's comments and status changes read back from a BCF reply,
made the way a BIM tool makes it (bcf-client on the BCF our writer wrote), and hostile zips refused."""

from __future__ import annotations

import json
import uuid
import zipfile

import pytest
from typer.testing import CliRunner

from permitcheck.cli import app
from permitcheck.errors import InputError
from permitcheck.reports import bcf as bcf_report
from permitcheck.reports import html
from permitcheck.review import attach, result_sha256
from permitcheck.review.bcf_reply import read_reply, record_reply, topics_of
from permitcheck.review.store import DecisionStore

pytest.importorskip("bcf")
pytest.importorskip("defusedxml")
runner = CliRunner(env={"COLUMNS": "200"})
COMMENT = "Moved the tower back 2 m <b>& done</b>\nsee sheet A-201"


def _architect_replies(sent, out, guid: str) -> None:
    """What a BIM tool does: open our BCF, comment on a topic and resolve it, save."""
    from bcf.v2 import model as mdl
    from bcf.v2.bcfxml import BcfXml
    from xsdata.models.datatype import XmlDateTime

    bcf = BcfXml.load(sent)
    topic = bcf.topics[guid]
    when = XmlDateTime.from_string("2026-12-04T09:30:00+00:00")
    topic.comments = list(topic.comments) + [mdl.Comment(guid=str(uuid.uuid4()), date=when,
                                                         author="architect@studio.example", comment=COMMENT)]
    topic.topic.topic_status = "Resolved"
    topic.topic.modified_date = when
    topic.topic.modified_author = "architect@studio.example"
    bcf.save(out)
    bcf.close()


def test_a_bcf_reply_round_trips_through_bcf_client(north_fail, tmp_path):
    sent = bcf_report.write(north_fail, tmp_path / "sent.bcf")
    guids = topics_of(north_fail)
    assert sorted(guids.values()) == ["north-daylight", "north-daylight-3d"]  # the FAIL topics we sent
    guid = next(g for g, rule in guids.items() if rule == "north-daylight")
    reply = tmp_path / "reply.bcf"
    _architect_replies(sent, reply, guid)

    result_file = tmp_path / "permitcheck-result.json"
    result_file.write_text(json.dumps(north_fail))
    r = runner.invoke(app, ["review", str(result_file), "--bcf", str(reply)])
    assert r.exit_code == 0, r.output
    assert "2 new replies" in r.stdout  # the comment and the status change
    assert "status set to Resolved" in r.stdout
    assert "Moved the tower back 2 m <b>& done</b> see sheet A-201" in r.stdout  # one line, as written

    store = tmp_path / "permitcheck-decisions.sqlite"
    with DecisionStore(store) as db:
        replies = db.replies(result_sha256(north_fail))
    assert {(x.rule, x.kind, x.text) for x in replies} == {("north-daylight", "comment", COMMENT),
                                                            ("north-daylight", "status", "Resolved")}
    assert {x.author for x in replies} == {"architect@studio.example"}

    again = record_reply(north_fail, store, reply)  # the same reply read twice is recorded once
    assert (again.recorded, again.known, again.foreign) == (0, 2, 0)

    shown = attach(north_fail, store)
    page = html.render(shown)
    assert "Moved the tower back 2 m &lt;b&gt;&amp; done&lt;/b&gt;" in page and "<b>& done" not in page


def test_a_reply_on_another_result_is_refused(north_fail, tmp_path):
    other = {**north_fail, "model": {**north_fail["model"], "sha256": "0" * 64}}
    sent = bcf_report.write(other, tmp_path / "other.bcf")
    with pytest.raises(InputError, match="none of its 2 topics"):
        record_reply(north_fail, tmp_path / "d.sqlite", sent)


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


MARKUP = b'<?xml version="1.0"?><Markup><Topic Guid="t1" TopicStatus="Closed"><Title>x</Title></Topic></Markup>'


@pytest.mark.parametrize("members, why", [
    ({"../../etc/evil/markup.bcf": MARKUP}, "points outside the archive"),
    ({"/abs/markup.bcf": MARKUP}, "points outside the archive"),
    ({"t1/markup.bcf": b"\0" * (64 * 1024 * 1024)}, "inflates"),  # 64 MB of zeros: a 64 KB zip
    ({"t1/markup.bcf": b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b"<Markup><Topic Guid='t1'><Title>&x;</Title></Topic></Markup>"}, "DTDForbidden"),
    ({"t1/markup.bcf": b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                       b"<Markup><Topic Guid='t1'><Title>&b;</Title></Topic></Markup>"}, "DTDForbidden"),
    ({"t1/markup.bcf": b"<Markup><Topic"}, "ParseError"),
    ({"bcf.version": b"<Version/>"}, "no topic"),
])
def test_hostile_bcf_zips_are_refused_in_one_line(north_fail, tmp_path, members, why):
    bad = _zip(tmp_path / "bad.bcf", members)
    with pytest.raises(InputError, match=why):
        read_reply(bad)
    result_file = tmp_path / "r.json"
    result_file.write_text(json.dumps(north_fail))
    r = runner.invoke(app, ["review", str(result_file), "--bcf", str(bad)])
    assert r.exit_code == 2, r.output
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr + r.stdout
    assert not (tmp_path / "etc").exists()


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "x.bcf").write_text("hello")
    with pytest.raises(InputError, match="not a zip"):
        read_reply(tmp_path / "x.bcf")
