"""Command line: parse arguments, call the API, choose the report, set the exit code."""

from __future__ import annotations

import json
import sys
import traceback
import warnings
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from permitcheck.errors import EXIT_INTERNAL, PermitcheckError
from permitcheck.reports.printable import json_text, printable_str

app = typer.Typer(
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Check a submitted IFC building model (or a massing model: glTF, OBJ, STL, 3MF, PLY, CityJSON) against "
    "zoning rules.\n\n"
    "Exit codes: 0 compliant / ok, 1 non-compliant, 2 bad input or usage, 3 internal error.",
)
_state = {"debug": False}

MODEL_HELP = ("IFC model (.ifc, or .ifczip), or a massing model: a mesh (.glb, .gltf, .obj, .stl, .3mf, .ply) or a "
              "CityJSON building (.city.json).")


def _version(value: bool) -> None:
    if value:
        from permitcheck.version import __version__

        sys.stdout.write(f"permitcheck {__version__}\n")
        raise typer.Exit(0)


# a massing model's options, the same on inspect, check and export
_UNIT = typer.Option(None, "--unit", help="Massing: the mesh's length unit, m (default), mm, cm, ft or in.")
_UP = typer.Option(None, "--up", help="Massing: the axis up in the file, z or y (default: y for .glb/.gltf, "
                   "z otherwise).")
_STOREY_HEIGHT = typer.Option(None, "--storey-height", help="Massing: floor levels every H metres from ground "
                              "level, for storeys and floor area.")
_LEVELS = typer.Option(None, "--levels", help="Massing: floor levels as model z in metres, e.g. 0,4.5,9 "
                       "(continued every --storey-height above the last).")
_OBJECT = typer.Option(None, "--object", help="Massing: the CityJSON building to read when the file holds several.")


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
          version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    _state["debug"] = debug
    if not debug:
        # Library warnings (shapely's RuntimeWarnings on degenerate geometry, deprecations) are not
        # the user's business; what the user must know reaches the result's warnings instead.
        warnings.simplefilter("ignore")


def _fail(e: BaseException) -> None:
    if _state["debug"]:
        traceback.print_exception(e)
    # Plain write, not rich: the message must stay one line whatever the terminal width, and a
    # name quoted from a file shows its control characters escaped.
    one_line = printable_str(" ".join(str(e).split()))
    if isinstance(e, PermitcheckError):
        sys.stderr.write(f"permitcheck: error: {one_line}\n")
        raise typer.Exit(e.exit_code)
    sys.stderr.write(f"permitcheck: internal error: {type(e).__name__}: {one_line} (run with --debug for the traceback)\n")
    raise typer.Exit(EXIT_INTERNAL)


@app.command()
def inspect(
    model: Path = typer.Argument(..., help=MODEL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the facts as JSON."),
    ground_level: Optional[float] = typer.Option(
        None, "--ground-level", help="Ground level as model z in metres (default: the storey at project zero)."
    ),
    include_proxies: bool = typer.Option(False, "--include-proxies", help="Measure IfcBuildingElementProxy too."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Geometry processes (default: all cores)."),
    mesh: bool = typer.Option(False, "--mesh", help="Also build the closed 3D mesh and report it."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Also measure as a law defines it: physical, "
                                          "kr-building-act-119, jp-bsa-enforcement-2, de-baunvo-19-20, nyc-zr-12-10."),
    unit: Optional[str] = _UNIT,
    up: Optional[str] = _UP,
    storey_height: Optional[float] = _STOREY_HEIGHT,
    levels: Optional[str] = _LEVELS,
    object_id: Optional[str] = _OBJECT,
) -> None:
    """Measure a model: ground level, height, footprint, storeys, floor area."""
    from permitcheck.inspection import inspect_model

    try:
        result = inspect_model(model, ground_level_m=ground_level, workers=workers,
                               include_proxies=include_proxies, profile=profile,
                               massing=_massing(unit, up, storey_height, levels, object_id)).to_dict(with_mesh=mesh)
        text = json_text(result) if as_json else None
    except Exception as e:  # noqa: BLE001 - every failure becomes one line and an exit code
        _fail(e)
    if as_json:
        sys.stdout.write(text + "\n")
    else:
        from permitcheck.reports.inspect_terminal import render

        render(result, Console(highlight=False))


@app.command()
def georef(
    model: Path = typer.Argument(..., help="IFC model (.ifc, or .ifczip)."),
    site: Path = typer.Option(..., "--site", help="Site GeoJSON with the model's parcel."),
    site_crs: Optional[str] = typer.Option(None, "--site-crs", help="CRS of the site file, e.g. EPSG:5186."),
    write: Optional[Path] = typer.Option(None, "--write", help="Write a copy of the model with the fix applied."),
) -> None:
    """Is the model where its georeference says? Names the likely error and its fix, or where the
    footprint fits when no usual error explains it, or a rotation the grid convergence may have
    turned; exit 0 on its parcel, 1 when a correction is named (written with --write) or the model is
    off its parcel, 2 bad input."""
    from permitcheck.errors import EXIT_NONCOMPLIANT, EXIT_OK
    from permitcheck.georeferencing import diagnose_model, write_fixed

    try:
        report = diagnose_model(model, site, site_crs=site_crs)
        found = report.diagnosis
        fixable = found is not None and bool(found.edit)
        changes = write_fixed(model, found, write) if fixable and write is not None else []
    except Exception as e:  # noqa: BLE001
        _fail(e)
    sys.stdout.write(_georef_text(report))
    for line in changes:
        sys.stdout.write(f"  {printable_str(line)}\n")
    if write is not None:
        sys.stdout.write(f"wrote {printable_str(str(write))}\n" if fixable else
                         "nothing written: no usual error to undo\n")
    raise typer.Exit(EXIT_OK if report.on_parcel else EXIT_NONCOMPLIANT)


@app.command()
def export(
    model: Path = typer.Argument(..., help=MODEL_HELP),
    site: Path = typer.Option(..., "--site", help="Site GeoJSON with the model's parcel."),
    cityjson: Path = typer.Option(..., "--cityjson", help="Write the building here as CityJSON (LoD1)."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Rulebook YAML: check first, and write the verdict."),
    zone: Optional[str] = typer.Option(None, "--zone", help="Zone code or name (default: from the site)."),
    site_crs: Optional[str] = typer.Option(None, "--site-crs", help="CRS of the site file, e.g. EPSG:5186."),
    anchor: Optional[str] = typer.Option(None, "--anchor", help="E,N of the model origin in the site's CRS."),
    rotation: float = typer.Option(0.0, "--rotation", help="Map east to model X, degrees counter-clockwise."),
    ground_level: Optional[float] = typer.Option(None, "--ground-level", help="Ground level as model z, metres."),
    rules_path: list[Path] = typer.Option([], "--rules-path", help="A folder whose rulebooks `extends:` may name."),
    unit: Optional[str] = _UNIT,
    up: Optional[str] = _UP,
    storey_height: Optional[float] = _STOREY_HEIGHT,
    levels: Optional[str] = _LEVELS,
    object_id: Optional[str] = _OBJECT,
) -> None:
    """Write the building, placed on its site, as a CityJSON object in the site's CRS (with its height,
    storeys and, with --rules, its verdict), for the city's own twin. Exit 0 written, 2 bad input."""
    from permitcheck.exporting import export_cityjson

    try:
        attrs = export_cityjson(model, site, cityjson, rules_path=rules, zone=zone, site_crs=site_crs,
                                anchor=_anchor(anchor), rotation_deg=rotation, ground_level_m=ground_level,
                                rules_folders=tuple(rules_path),
                                massing=_massing(unit, up, storey_height, levels, object_id))
    except Exception as e:  # noqa: BLE001
        _fail(e)
    verdict = attrs.get("permitcheck:verdict")
    sys.stdout.write(printable_str(f"wrote {cityjson}: height {attrs['height']:.2f} m, "
                                   f"{attrs['storeysAboveGround']} storeys above ground"
                                   + (f", {verdict}" if verdict else "")) + "\n")


def _georef_text(report) -> str:
    """What `georef` found, in lines: where the model stands, then the cause and the fix."""
    where, found, fit = printable_str(report.placement), report.diagnosis, report.fit
    if report.on_parcel:
        return f"on its parcel as placed by {where}: {report.share_as_placed:.0%} of the footprint on it\n"
    if found is None and fit is None:
        return (f"off its parcel: {report.share_as_placed:.0%} of the footprint on it as placed by {where}, in no "
                "usual way and far from it — check the site's CRS and the model's map conversion\n")
    if found is None:
        return (f"partly off its parcel: {report.share_as_placed:.0%} of the footprint on it as placed by {where}, in "
                f"no usual way; the footprint fits the parcel {fit.describe()}, with {fit.outside_m2:.1f} m² left "
                "outside (a building across its lot line, or the map conversion: check both)\n")
    if found.status == "REVIEW":
        head = (f"on its parcel as placed by {where} ({found.share_as_placed:.0%} of the footprint on it), but "
                "perhaps turned (review)")
    elif found.edit:
        head = (f"off its parcel: {found.share_as_placed:.0%} of the footprint on it as placed by {where}, "
                f"{found.share_corrected:.0%} once corrected, with {found.fit.outside_start_m2:.1f} m² left outside")
    else:
        head = f"off its parcel: {found.share_as_placed:.0%} of the footprint on it as placed by {where}"
    return f"{head}\ncause: {printable_str(found.cause)}\nfix: {printable_str(found.fix)}\n"


def _site_of(site, rules, cadastre, parcel_id, zoning, zoning_field, encoding, write_site, folders,
             buildings=None, roads=None, site_layer=(), context=None) -> Path:
    """--site as given, or the site read from --cadastre/--parcel-id/--zoning/--buildings/--roads, with the
    --context buildings added, written to --write-site (else to a temporary file the check reads)."""
    from permitcheck.errors import UsageError

    if cadastre is None:
        if site is None:
            raise UsageError("give the site: --site SITE.geojson, or --cadastre LAYER --parcel-id ID")
        if parcel_id or zoning or zoning_field or buildings or roads or site_layer or (write_site and not context):
            raise UsageError("--parcel-id, --zoning, --zoning-field, --buildings, --roads, --site-layer and "
                             "--write-site go with --cadastre (--write-site also with --context)")
        if context is None:
            return site
        from permitcheck.checking import site_with_context

        return _written(site_with_context(site, context), write_site)
    if site is not None:
        raise UsageError("give --site or --cadastre, not both")
    if not parcel_id:
        raise UsageError("--cadastre needs --parcel-id (the parcel's id in the layer, Korea: its PNU)")
    from permitcheck.checking import site_from_layers

    doc = site_from_layers(rules, cadastre, parcel_id, zoning=zoning, zoning_field=zoning_field, encoding=encoding,
                           rules_folders=folders, buildings=buildings, roads=roads,
                           site_layers=_pairs(site_layer, "--site-layer", "building_height_field=A16"))
    if context is not None:
        from permitcheck.checking import site_with_context

        doc = site_with_context(doc, context)
    return _written(doc, write_site)


def _written(doc: dict, write_site: Optional[Path]) -> Path:
    """The site document at --write-site, else in a temporary file the check reads."""
    import tempfile

    from permitcheck.errors import UsageError

    out = write_site or Path(tempfile.mkdtemp(prefix="permitcheck-site-")) / "site.geojson"
    try:
        out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    except OSError as e:
        raise UsageError(f"{out}: cannot write the site ({e.strerror}) — choose a folder you can write") from e
    return out


def _massing(unit, up, storey_height, levels, object_id):
    """The massing options given (MassingOptions), read_model refusing them with an IFC file."""
    import math

    from permitcheck.errors import UsageError
    from permitcheck.model.massing import MassingOptions

    parsed: tuple[float, ...] = ()
    if levels is not None:
        try:
            parsed = tuple(float(x) for x in levels.split(",") if x.strip())
        except ValueError:
            raise UsageError(f"--levels {levels!r}: floor levels as model z in metres, separated by commas, "
                             "e.g. --levels 0,4.5,9") from None
        if not parsed or not all(math.isfinite(x) for x in parsed):
            raise UsageError(f"--levels {levels!r}: give at least one floor level in metres, e.g. --levels 0,4.5,9")
    if storey_height is not None and not math.isfinite(storey_height):
        raise UsageError(f"--storey-height {storey_height}: a height in metres, e.g. --storey-height 3")
    return MassingOptions(unit=unit, up=up, storey_height_m=storey_height, levels_m=parsed, object_id=object_id)


def _anchor(value: Optional[str]) -> Optional[tuple[float, float]]:
    if value is None:
        return None
    try:
        e, n = (float(x) for x in value.split(","))
    except ValueError:
        from permitcheck.errors import UsageError

        raise UsageError(f"--anchor {value!r}: expected E,N in the site's CRS, e.g. --anchor 210000,550000")
    return e, n


@app.command()
def check(
    model: Path = typer.Argument(..., help=MODEL_HELP),
    site: Optional[Path] = typer.Option(None, "--site", help="Site GeoJSON (parcel, roads, zones...)."),
    rules: Path = typer.Option(..., "--rules", help="Rulebook YAML."),
    zone: Optional[str] = typer.Option(None, "--zone", help="Zone code or name (default: from the site)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the verdict line only (reports are still "
                               "written; the exit code is the same)."),
    site_crs: Optional[str] = typer.Option(None, "--site-crs", help="CRS of the site file, e.g. EPSG:5186."),
    anchor: Optional[str] = typer.Option(None, "--anchor", help="E,N of the model origin in the site's CRS."),
    rotation: float = typer.Option(0.0, "--rotation", help="Map east to model X, degrees counter-clockwise."),
    ground_level: Optional[float] = typer.Option(None, "--ground-level", help="Ground level as model z, metres."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Geometry processes (default: all cores)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write the json, html, junit and bcf reports into this folder."),
    formats: list[str] = typer.Option([], "--format", help="A report format (json, html, junit, bcf, pdf); repeat."),
    outs: list[Path] = typer.Option([], "--out", help="Where to write the --format of the same position "
                                    "(- for standard output)."),
    rules_path: list[Path] = typer.Option([], "--rules-path", help="A folder whose rulebooks `extends:` may name "
                                          "(besides the rulebook's own folder); repeat."),
    include_proxies: bool = typer.Option(False, "--include-proxies", help="Measure IfcBuildingElementProxy too."),
    declare: list[str] = typer.Option([], "--declare", help="KEY=VALUE the applicant declares that the model "
                                      "cannot show (building_class=2, use=residential); repeat."),
    cadastre: Optional[Path] = typer.Option(None, "--cadastre", help="Cadastre layer (Shapefile, GeoPackage, ...) "
                                            "instead of --site; needs --parcel-id and the gis extra."),
    parcel_id: Optional[str] = typer.Option(None, "--parcel-id", help="The parcel's id in the cadastre (Korea: PNU)."),
    zoning: Optional[Path] = typer.Option(None, "--zoning", help="Zoning layer: the zones over the parcel."),
    zoning_field: Optional[str] = typer.Option(None, "--zoning-field", help="The zoning layer's zone field "
                                               "(default: the rulebook's site_layers.zone_field)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Text encoding of the layers (e.g. cp949)."),
    write_site: Optional[Path] = typer.Option(None, "--write-site", help="Write the site read from the layers "
                                              "as GeoJSON, so the case can be run again from it."),
    buildings: Optional[Path] = typer.Option(None, "--buildings", help="Buildings layer: the footprints near the "
                                             "parcel, with their heights, as context buildings."),
    roads: Optional[Path] = typer.Option(None, "--roads", help="Roads layer: polygons, or centre lines with a width "
                                         "field, near the parcel."),
    site_layer: list[str] = typer.Option([], "--site-layer", help="KEY=VALUE overriding the rulebook's site_layers "
                                         "for this run (building_height_field=A16, storey_height_m=3); repeat."),
    context: Optional[Path] = typer.Option(None, "--context", help="CityJSON city model: its buildings within "
                                           "100 m of the parcel join the site as context."),
    project: Optional[str] = typer.Option(None, "--project", help="The project's name, for the reports' cover."),
    applicant: Optional[str] = typer.Option(None, "--applicant", help="The applicant, for the reports' cover."),
    submission: Optional[str] = typer.Option(None, "--submission", help="The submission's number or date, for "
                                             "the reports' cover."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Who reviews it, for the reports' cover."),
    previous: Optional[Path] = typer.Option(None, "--previous", help="The previous submission's result: carry "
                                            "forward the officer's decisions on it that still apply."),
    decisions: Optional[Path] = typer.Option(None, "--decisions", help="With --previous: the decisions store "
                                             "(default: beside the previous result)."),
    unit: Optional[str] = _UNIT,
    up: Optional[str] = _UP,
    storey_height: Optional[float] = _STOREY_HEIGHT,
    levels: Optional[str] = _LEVELS,
    object_id: Optional[str] = _OBJECT,
) -> None:
    """Check a model on its parcel against a rulebook. Exit 0 compliant, 1 not shown compliant, 2 bad input."""
    from permitcheck.model.ifcfile import open_ahead
    from permitcheck.model.massing import is_massing

    if not is_massing(model):
        open_ahead(str(model))  # parsed while the checks are imported and the rulebook is loaded
    from permitcheck.checking import check_model
    from permitcheck.errors import EXIT_NONCOMPLIANT, EXIT_OK

    try:
        site = _site_of(site, rules, cadastre, parcel_id, zoning, zoning_field, encoding, write_site,
                        tuple(rules_path), buildings, roads, site_layer, context)
        targets = _report_targets(formats, outs)
        result = check_model(model, site, rules, zone=zone, site_crs=site_crs, anchor=_anchor(anchor),
                             rotation_deg=rotation, ground_level_m=ground_level, workers=workers,
                             rules_folders=tuple(rules_path), include_proxies=include_proxies,
                             declared=_declarations(declare), sections=bool(as_json or report or targets),
                             submission={"project": project, "applicant": applicant, "submission": submission,
                                         "reviewer": reviewer},
                             massing=_massing(unit, up, storey_height, levels, object_id), aside=True)
        to_stdout = any(str(o) == "-" for _, o in targets)
        if to_stdout and as_json:
            from permitcheck.errors import UsageError

            raise UsageError("--json and --out - both write to standard output: choose one")
        if quiet and (as_json or to_stdout):
            from permitcheck.errors import UsageError

            raise UsageError("--quiet prints the verdict line on standard output: not with --json or --out -")
        data = result.to_dict()
        data = _carried(data, previous, decisions, model)
        written = _write_reports(data, report, targets)
        text = json_text(data) if as_json else None
    except Exception as e:  # noqa: BLE001
        _fail(e)
    if as_json:
        sys.stdout.write(text + "\n")
    elif to_stdout:
        pass  # the report is what standard output holds
    elif quiet:
        from permitcheck.reports.verdict import verdict_line

        sys.stdout.write(printable_str(verdict_line(data)) + "\n")
    else:
        from permitcheck.reports.check_terminal import render

        render(data, Console(highlight=False), footer=[f"report: {path}" for path in written])
    raise typer.Exit(EXIT_OK if data["verdict"] == "PASS" else EXIT_NONCOMPLIANT)


def _carried(data: dict, previous: Optional[Path], decisions: Optional[Path], model: Path) -> dict:
    """The result with the decisions on --previous that still apply carried forward (permitcheck.review)."""
    if previous is None:
        if decisions is not None:
            from permitcheck.errors import UsageError

            raise UsageError("--decisions goes with --previous RESULT.json")
        return data
    from permitcheck.review import load
    from permitcheck.review.diff import carry_forward

    return carry_forward(load(previous), data, decisions, label=str(model))


def _declarations(items: list[str]) -> dict[str, str]:
    return _pairs(items, "--declare", "building_class=2")


def _pairs(items: list[str], option: str, example: str) -> dict[str, str]:
    from permitcheck.errors import UsageError

    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"{option} {item!r}: write KEY=VALUE, e.g. {option} {example}")
        out[key.strip()] = value.strip()
    return out


def _available(formats: list[str]) -> None:
    """Refuse, before any work, a --format that is unknown or whose library is not installed."""
    from permitcheck.errors import UsageError
    from permitcheck.reports import ReporterUnavailable, reporter

    for fmt in formats:
        try:
            reporter(fmt)
        except ReporterUnavailable as e:
            raise UsageError(f"--format {fmt}: {e}") from e


def _report_targets(formats: list[str], outs: list[Path]) -> list[tuple[str, Path]]:
    from permitcheck.errors import UsageError

    if len(formats) != len(outs):
        raise UsageError(f"{len(formats)} --format but {len(outs)} --out: give one --out per --format")
    if sum(str(o) == "-" for o in outs) > 1:
        raise UsageError("--out - (standard output) takes one report: give the others a file")
    _available(formats)
    return list(zip(formats, outs))


def _write_reports(data: dict, folder: Optional[Path], targets: list[tuple[str, Path]]) -> list[Path]:
    """Write the reports asked for; the paths written, in order."""
    from permitcheck.reports import ReporterUnavailable, write_all, write_report

    written, skipped = [], []
    if folder is not None:
        written, skipped = write_all(data, folder)
    for fmt, out in targets:
        try:
            if str(out) == "-":  # standard output: the report's bytes, nothing else on it
                import tempfile

                with tempfile.TemporaryDirectory(prefix="permitcheck-out-") as tmp:
                    sys.stdout.flush()
                    sys.stdout.buffer.write(write_report(fmt, data, Path(tmp)).read_bytes())
                    sys.stdout.buffer.flush()
                continue
            written.append(write_report(fmt, data, out))
        except ReporterUnavailable as e:
            skipped.append(str(e))
    for s in skipped:
        sys.stderr.write(f"permitcheck: warning: {printable_str(' '.join(str(s).split()))}\n")
    return written


@app.command()
def batch(
    source: Path = typer.Argument(..., help="Folder of cases (one sub-folder each) or a manifest (.csv/.yaml)."),
    out: Path = typer.Option(Path("permitcheck-batch"), "--out", help="Output folder: store, reports, summary."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Parallel cases (default: all cores)."),
    timeout: float = typer.Option(600.0, "--timeout", min=1, help="Seconds per case before it is stopped."),
    memory_mb: int = typer.Option(4096, "--memory-mb", min=64, help="Address-space cap per case, MB (0: none)."),
    formats: list[str] = typer.Option([], "--format", help="Per-case report format (json, html, junit, bcf, "
                                      "pdf); repeat. Default: json, html, junit."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786)."),
    retry_errors: bool = typer.Option(False, "--retry-errors", help="Run again cases that ended in ERROR."),
    wait: bool = typer.Option(False, "--wait", help="If another batch is running on --out, wait for it to "
                              "finish, then run what it did not record (default: refuse, exit 2)."),
    rules_path: list[Path] = typer.Option([], "--rules-path", help="A folder whose rulebooks the cases' "
                                          "`extends:` may name (besides each rulebook's own folder); repeat."),
) -> None:
    """Check every case; re-runs skip recorded ones. Exit 0 when every case's newest verdict is PASS."""
    from contextlib import ExitStack

    from permitcheck.batch import Limits, run_batch
    from permitcheck.reports.batch_progress import BatchProgress

    progress = BatchProgress(Console(stderr=True, highlight=False))
    try:
        _available(formats)
        with ExitStack() as shown:
            def event(kind: str, case: str, outcome: Optional[dict]) -> None:
                if kind == "waiting":
                    sys.stderr.write(printable_str(f"permitcheck: another batch ({outcome['holder']}) is running on "
                                                   f"{outcome['out']}; waiting for it to finish") + "\n")
                elif kind == "started":  # the bar appears once the folder is ours, not over a refusal
                    shown.enter_context(progress)
                else:
                    progress.event(kind, case, outcome)

            summary = run_batch(source, out, workers=workers, scheduler=scheduler, retry_errors=retry_errors,
                                limits=Limits(timeout, memory_mb or None), formats=formats or None,
                                on_event=event, wait=wait, rules_path=tuple(rules_path))
        progress.final(summary)
    except Exception as e:  # noqa: BLE001
        _fail(e)
    bad = sorted(summary.not_passing)
    if bad:  # name them: the exit code alone sends a CI maintainer digging through the store
        shown = ", ".join(f"{name} ({verdict})" for name, verdict in bad[:BATCH_NAMED])
        more = f" and {len(bad) - BATCH_NAMED} more (see {summary.paths.get('csv', out)})" if len(bad) > BATCH_NAMED else ""
        sys.stderr.write(printable_str(f"permitcheck: {len(bad)} case(s) not PASS: {shown}{more}") + "\n")
    raise typer.Exit(1 if bad else 0)


BATCH_NAMED = 20  # cases a batch's last line names


@app.command()
def regress(
    suite: Path = typer.Argument(..., help="Suite YAML: cases with expected verdicts and figures."),
    update: bool = typer.Option(False, "--update", help="Rewrite the expectations from this run."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Write the drift as JUnit XML."),
) -> None:
    """Run a regression suite; exit 1 on any drift from the expected verdicts and figures."""
    from permitcheck.regress import run_suite, write_junit
    from permitcheck.reports.regress_terminal import render

    try:
        report = run_suite(suite, update=update)
        if junit:
            write_junit(report, junit)
    except Exception as e:  # noqa: BLE001
        _fail(e)
    render(report, Console(highlight=False))
    raise typer.Exit(1 if report.drift and not update else 0)


@app.command()
def review(
    result: Path = typer.Argument(..., help="A check result JSON, a batch case's folder, or a batch --out "
                                  "folder with --case."),
    case: Optional[str] = typer.Option(None, "--case", help="The case of a batch --out folder."),
    rule: Optional[str] = typer.Option(None, "--rule", help="The rule id of the finding decided on."),
    accept: bool = typer.Option(False, "--accept", help="Accept the automatic PASS, FAIL or NOT_APPLICABLE."),
    override: Optional[str] = typer.Option(None, "--override", help="Override the finding to PASS or FAIL."),
    request_changes: bool = typer.Option(False, "--request-changes", help="Ask the applicant to change the design."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (required with a decision)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who decides (default: the login name)."),
    bcf: Optional[Path] = typer.Option(None, "--bcf", help="Read back the architect's comments and status "
                                       "changes from a BCF reply on the topics this result sent."),
    store: Optional[Path] = typer.Option(None, "--store", help="The decisions store (default: "
                                         "permitcheck-decisions.sqlite beside the result, or the batch's store)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write the reports, with the decisions, here."),
    as_json: bool = typer.Option(False, "--json", help="Print the result with its decisions as JSON."),
    previous: Optional[Path] = typer.Option(None, "--previous", help="The previous submission's result (or batch "
                                            "case folder): carry forward its decisions that still apply."),
) -> None:
    """Record an officer's decision on a finding, read back a BCF reply, and show the decisions beside the
    automatic statuses. Decisions are append-only: a newer one on the same rule supersedes the older.
    Exit 0 done, 2 bad input (not a result of ours, an unknown rule, no reason, a bad BCF)."""
    from permitcheck.review import attach, load, record_decision
    from permitcheck.review.bcf_reply import record_reply

    try:
        loaded = load(result, case)
        where = store or loaded.store
        data, note = loaded.result, None
        chosen = [x for x in ("accept" if accept else None, "override" if override else None,
                              "request_changes" if request_changes else None) if x]
        if len(chosen) > 1 or (rule is None) != (not chosen):
            from permitcheck.errors import UsageError

            raise UsageError("a decision is --rule RULE with one of --accept, --override PASS|FAIL, "
                             "--request-changes, and --reason")
        if previous is not None:
            from permitcheck.review.diff import carry_forward

            data = carry_forward(load(previous), data, label=loaded.label, into=where)
        if bcf is not None:
            back = record_reply(data, where, bcf)
            note = (f"read {bcf}: {back.recorded} new repl{'y' if back.recorded == 1 else 'ies'}"
                    + (f", {back.known} read before" if back.known else "")
                    + (f", {back.foreign} topic(s) of another result ignored" if back.foreign else ""))
        if chosen:
            data = record_decision(data, where, rule, chosen[0], reason or "", by or _login(),
                                   override=override.upper() if override else None)
        else:
            data = attach(data, where)
        written = _write_reports(data, report, [])
        text = json_text(data) if as_json else None
    except Exception as e:  # noqa: BLE001
        _fail(e)
    if as_json:
        sys.stdout.write(text + "\n")
        return
    from permitcheck.reports.decisions import render

    console = Console(highlight=False)
    if note:
        sys.stdout.write(printable_str(note) + "\n")
    render(data, console)
    for path in written:
        sys.stdout.write(printable_str(f"report: {path}") + "\n")


@app.command()
def diff(
    old: Path = typer.Argument(..., help="The earlier result: a result JSON or a batch case's folder (or a batch "
                               "--out folder with --case)."),
    new: Path = typer.Argument(..., help="The later result, the same way."),
    case: Optional[str] = typer.Option(None, "--case", help="The case, when OLD and NEW are batch --out folders."),
    store: Optional[Path] = typer.Option(None, "--store", help="The decisions store of OLD (default: beside it)."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write the comparison as HTML here."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """What changed between two submissions, rule by rule (status, figures, elements matched by GlobalId or
    geometry signature), and which decisions on OLD still apply. Exit 0 no change, 1 changed, 2 bad input."""
    from permitcheck.review import load
    from permitcheck.review.diff import diff_results

    try:
        result = diff_results(load(old, case), load(new, case), store)
        if html is not None:
            from permitcheck.reports.diff_html import write

            write(result, html)
        text = json_text(result) if as_json else None
    except Exception as e:  # noqa: BLE001
        _fail(e)
    if as_json:
        sys.stdout.write(text + "\n")
    else:
        from permitcheck.reports.diff_terminal import render

        render(result, Console(highlight=False))
        if html is not None:
            sys.stdout.write(printable_str(f"report: {html}") + "\n")
    raise typer.Exit(1 if result["changed"] else 0)


def _login() -> str:
    """Who decides when --by is not given: the login name, or '' (refused: a decision names its officer)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


rules_app = typer.Typer(help="Rulebook tools.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("validate")
def rules_validate(
    files: list[Path] = typer.Argument(..., help="Rulebook YAML files."),
    rules_path: list[Path] = typer.Option([], "--rules-path", help="A folder whose rulebooks `extends:` may name."),
) -> None:
    """Validate rulebooks: schema, units, citations, that an extending rulebook only narrows, and the IDS
    files its readiness names. Every file is checked and reported; exit 2 when any is not valid."""
    from permitcheck.preflight import ids_problems
    from permitcheck.rulebook import RulebookError, load_rulebook, zone_codes
    from permitcheck.rulebook.load import readiness_files

    failed = 0
    for f in files:
        try:
            loaded = load_rulebook(f, rules_path=tuple(rules_path))
            ids_files = readiness_files(loaded)
            problems, checked = ids_problems(ids_files)
        except RulebookError as e:
            problems = list(e.problems)
        except PermitcheckError as e:
            problems = [str(e)]
        except Exception as e:  # noqa: BLE001
            _fail(e)
        if problems:
            failed += 1
            for problem in problems:
                sys.stderr.write(f"permitcheck: error: {printable_str(' '.join(problem.split()))}\n")
            continue
        zones = sorted(set(zone_codes(loaded).values()))
        n = sum(len(z.rules) for z in loaded.book.zones.values()) + len(loaded.book.rules)
        ids = "" if not ids_files else f", {len(ids_files)} IDS file(s)" + (
            "" if checked else " not validated (pip install 'permitcheck[ids]')")
        sys.stdout.write(printable_str(f"{f}: ok — {loaded.book.rulebook} {loaded.book.version}, {len(zones)} zones, "
                                       f"{n} rules{ids}") + "\n")
    if failed:
        if len(files) > 1:
            sys.stderr.write(f"permitcheck: {failed} of {len(files)} rulebooks are not valid\n")
        raise typer.Exit(2)


def _click_exceptions():
    """typer 0.29 vendors its own click; older ones use click: the exception classes of whichever runs."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - depends on the typer version installed
        from click import exceptions
    return exceptions


def main() -> None:
    """The console script: usage errors, too, are one line on stderr and exit 2."""
    ex = _click_exceptions()
    try:
        code = app(standalone_mode=False)
    except ex.UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError":  # the help is already on screen
            sys.exit(2)
        command = e.ctx.command_path if e.ctx is not None else "permitcheck"
        sys.stderr.write(f"permitcheck: error: {printable_str(' '.join(e.format_message().split()))} — see "
                         f"'{printable_str(command)} --help'\n")
        sys.exit(2)
    except ex.ClickException as e:
        sys.stderr.write(f"permitcheck: error: {printable_str(' '.join(e.format_message().split()))}\n")
        sys.exit(e.exit_code)
    except (KeyboardInterrupt, getattr(ex, "Abort", KeyboardInterrupt)):
        sys.stderr.write("permitcheck: interrupted\n")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
