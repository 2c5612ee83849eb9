"""Command line: parse arguments, call the API, choose the report, set the exit code."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from permitcheck.errors import EXIT_INTERNAL, PermitcheckError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Check a submitted IFC building model against zoning rules.\n\n"
    "Exit codes: 0 compliant / ok, 1 non-compliant, 2 bad input or usage, 3 internal error.",
)
_state = {"debug": False}


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks.")) -> None:
    _state["debug"] = debug


def _fail(e: BaseException) -> None:
    if _state["debug"]:
        traceback.print_exception(e)
    # Plain write, not rich: the message must stay one line whatever the terminal width.
    one_line = " ".join(str(e).split())
    if isinstance(e, PermitcheckError):
        sys.stderr.write(f"permitcheck: error: {one_line}\n")
        raise typer.Exit(e.exit_code)
    sys.stderr.write(f"permitcheck: internal error: {type(e).__name__}: {one_line} (run with --debug for the traceback)\n")
    raise typer.Exit(EXIT_INTERNAL)


@app.command()
def inspect(
    model: Path = typer.Argument(..., help="IFC model (.ifc)."),
    as_json: bool = typer.Option(False, "--json", help="Print the facts as JSON."),
    ground_level: Optional[float] = typer.Option(
        None, "--ground-level", help="Ground level as model z in metres (default: the storey at project zero)."
    ),
    include_proxies: bool = typer.Option(False, "--include-proxies", help="Measure IfcBuildingElementProxy too."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Geometry processes (default: all cores)."),
    mesh: bool = typer.Option(False, "--mesh", help="Also build the closed 3D mesh and report it."),
) -> None:
    """Measure a model: ground level, height, footprint, storeys, floor area."""
    from permitcheck.inspection import inspect_model

    try:
        result = inspect_model(model, ground_level_m=ground_level, workers=workers,
                               include_proxies=include_proxies).to_dict(with_mesh=mesh)
    except Exception as e:  # noqa: BLE001 - every failure becomes one line and an exit code
        _fail(e)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        from permitcheck.reports.inspect_terminal import render

        render(result, Console(highlight=False))


def main() -> None:
    app()
