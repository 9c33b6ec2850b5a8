"""Command line: ``python -m helpers baseline|monitor|twin|selfrun|workshop``.

Exit 0 on success (violations are a result, not an error); otherwise a one-line reason on
stderr and a non-zero status: 2 for input the analyzer cannot use, 3 for "Job inputs had no data",
1 only for a bug ("internal error: ...", with where it was raised, and never a traceback unless
HELPERS_TRACEBACK=1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser (with ``argv``, only the options the chosen command needs)."""
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    base = sub.add_parser("baseline", help="statistics.json and constraints.json from a data set")
    base.add_argument("--dataset", required=True, type=Path, help="CSV file (header row unless --no-header)")
    base.add_argument("--no-header", action="store_true", help="the CSV has no header row (columns _c0, _c1, ...)")
    base.add_argument("--output", required=True, type=Path, help="folder for the two files")
    _container_option(base)

    mon = sub.add_parser("monitor", help="a monitoring run of current data against a baseline")
    mon.add_argument("--baseline-statistics", required=True, type=Path)
    mon.add_argument("--baseline-constraints", required=True, type=Path)
    current = mon.add_mutually_exclusive_group(required=True)
    current.add_argument("--capture", nargs="+", type=Path, help="capture .jsonl files or folders")
    current.add_argument("--dataset", type=Path, help="a CSV of current data")
    mon.add_argument("--no-header", action="store_true",
                     help="the --dataset CSV has no header row (columns take the baseline's names by position)")
    mon.add_argument("--output", required=True, type=Path, help="folder for the three report files")
    _container_option(mon)

    twin = sub.add_parser("twin", help="the local twin of the workshop's AWS estate")
    twin.add_argument("--workspace", type=Path, help="the twin's folder (default: WORKSHOP_HOME or .workshop/)")
    twin_sub = twin.add_subparsers(dest="twin_command", required=True)
    up = twin_sub.add_parser("up", help="build the estate from nothing (trains, baselines, deploys)")
    _container_option(up)
    run = twin_sub.add_parser("run", help="send traffic and run the hourly schedule for N virtual hours")
    run.add_argument("--hours", type=_positive, default=1, help="virtual hours to live (at least 1)")
    twin_sub.add_parser("status", help="print the estate")
    twin_sub.add_parser("reset", help="delete the estate")

    selfrun = sub.add_parser("selfrun", help="the self-run hourly monitoring job (what the processing job runs)")
    if argv is None or "selfrun" in argv:  # its options come from the job module, which other commands never load
        from .monitoring.job import add_arguments

        add_arguments(selfrun)

    pic = sub.add_parser("architecture", help="draw the workshop's monitoring loop as a PNG")
    pic.add_argument("path", type=Path, nargs="?", default=Path("docs/workshop-loop.png"))
    shop = sub.add_parser("workshop", help="run the workshop's main job on the local twin")
    shop.add_argument("--fresh", action="store_true", help="rebuild everything from nothing")
    shop.add_argument("--build", type=Path, default=Path("build"), help="where outputs go")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of hours, at least 1, got {text!r}")
    return value


def _container_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--container", choices=["2021", "current"], default="current",
        help="which container generation's files to write: today's (default: completeness, "
             "approximate distinct counts, Scala HashMap order) or the 2021 layout")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(argv).parse_args(argv)
    try:
        return _run(args)
    except _loaded(_NO_DATA) as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except _loaded(*_BAD_INPUT) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a file that cannot be read or written: name it and say why
        print(f"error: {err.filename}: {err.strerror}" if err.filename else f"error: {err}", file=sys.stderr)
        return 2
    except _loaded("sqlite3.Error") as err:  # the twin's control plane, damaged where opening did not look
        print(f"error: the twin's control plane cannot be used ({err}); run `python -m helpers twin reset`, "
              "then `python -m helpers twin up`", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug, not an input: say so, with what a bug report needs
        print(_internal_error(err), file=sys.stderr)
        return 1


def _internal_error(err: Exception) -> str:
    """A bug's one-paragraph report: the error and where it was raised; the whole traceback only
    when HELPERS_TRACEBACK=1 (a user sees a sentence, a bug report gets the facts)."""
    import os
    import traceback

    frames = traceback.extract_tb(err.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
    text = (f"internal error: {type(err).__name__}: {err}{where}. This is a bug, not a problem with your "
            "input; please report it with the command you ran (HELPERS_TRACEBACK=1 prints the whole trace)")
    if os.environ.get("HELPERS_TRACEBACK") == "1":
        text += "\n" + "".join(traceback.format_exception(err))
    return text


def _run(args: argparse.Namespace) -> int:
    """The chosen command; its errors are mapped to exit codes by ``main``."""
    if args.command == "baseline":
        return _baseline(args)
    if args.command == "monitor":
        return _monitor(args)
    if args.command == "twin":
        return _twin(args)
    if args.command == "selfrun":
        from .monitoring.job import main as selfrun

        return selfrun(args)
    if args.command == "architecture":
        from .architecture import save_loop_figure

        print(save_loop_figure(args.path))
        return 0
    from .runner import run_workshop

    return run_workshop(args.build, fresh=args.fresh)


# Errors that mean "no data" (exit 3) and "input that cannot be used" (exit 2), by module and
# class. They are looked up only when something was raised, and only in modules already loaded
# (an error can only come from a module that was imported), so `baseline` never imports the
# monitor, the capture reader or the twin just to name their errors.
_NO_DATA = "helpers.analyzer.monitor.NoDataError"
_BAD_INPUT = (
    "helpers.analyzer.reader.AnalyzerInputError",
    "helpers.formats.codec.FormatError",
    "helpers.capture.records.CaptureError",
    "helpers.twin.store.WorkspaceError",
    "helpers.formats.reportset.OutputError",
    "helpers.monitoring.job.JobSettingError",
    "helpers.aws.WorkshopAwsError",
)


def _loaded(*names: str) -> tuple[type[BaseException], ...]:
    """The named exception classes whose modules are loaded (imports nothing)."""
    found = []
    for name in names:
        module, _, attr = name.rpartition(".")
        if module in sys.modules:
            found.append(getattr(sys.modules[module], attr))
    return tuple(found)


def _baseline(args) -> int:
    from .analyzer.baseline import run_baseline

    _refuse_overwriting_inputs(args.output, [args.dataset], ("statistics.json", "constraints.json"))
    result = run_baseline(args.dataset, header=not args.no_header, container=args.container)
    for path in result.write(args.output):
        print(f"wrote {path}")
    _report_problems(result.problems)
    return 0


def _monitor(args) -> int:
    from .formats import Constraints, Statistics
    from .formats.layout import REPORT_FILES

    inputs = [args.baseline_statistics, args.baseline_constraints, args.dataset, *(args.capture or [])]
    _refuse_overwriting_inputs(args.output, inputs, REPORT_FILES)
    statistics = Statistics.from_file(args.baseline_statistics)
    constraints = Constraints.from_file(args.baseline_constraints)
    capture = None
    if args.capture:  # the first blocks are parsed while the analyzer is imported
        from .capture.readahead import ReadAhead

        capture = ReadAhead(args.capture)
    from .analyzer.monitor import exit_message, run_monitor

    result = run_monitor(
        statistics,
        constraints,
        capture=capture,
        dataset=args.dataset,
        header=not args.no_header,
        container=args.container,
    )
    for path in result.write(args.output):
        print(f"wrote {path}")
    _report_problems(result.problems)
    if result.shadow_records:
        print(f"{result.shadow_records} capture records from a shadow variant skipped "
              "(eventMetadata.invocationSource ShadowExperiment)", file=sys.stderr)
    print(exit_message(len(result.violations)))
    for note in result.not_evaluated:  # a check that could not run is said, never skipped in silence
        print(f"not evaluated: {note}")
    return 0


def _twin(args) -> int:
    import time

    from tqdm import tqdm

    from .twin.estate import Twin
    from .twin.store import Workspace, default_workspace

    root = args.workspace or default_workspace()
    if args.twin_command == "reset":
        print(f"deleted {root}" if Workspace.reset(root) else f"nothing at {root}")
        return 0
    if args.twin_command == "up":
        started = time.perf_counter()
        twin = Twin.up(root, container=args.container)
        print(twin.status())
        print(f"built in {time.perf_counter() - started:.1f} s")
        return 0
    twin = Twin.open(root)
    if args.twin_command == "run":
        with tqdm(total=args.hours, unit="h", desc="virtual hours") as bar:
            twin.run_hours(args.hours, progress=bar)
    print(twin.status())
    return 0


def _refuse_overwriting_inputs(output: Path, inputs: list, names) -> None:
    """--output must not be, or replace, a file the run reads (before any work is done)."""
    from .formats.reportset import OutputError

    targets = {(output / name).resolve() for name in names} | {output.resolve()}
    for path in filter(None, inputs):
        if path.resolve() in targets:
            raise OutputError(f"--output {output} would overwrite the input {path}; choose another folder")


def _report_problems(problems) -> None:
    from .analyzer.problems import count_by_kind

    if problems:
        print(f"{len(problems)} records could not be used ({count_by_kind(problems)}):", file=sys.stderr)
        for problem in problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        if len(problems) > 20:
            print(f"  ... and {len(problems) - 20} more", file=sys.stderr)
