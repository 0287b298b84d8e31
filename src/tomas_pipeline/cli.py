"""The `tomas` command: small entry points over the package's functions."""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

from tomas_pipeline import __version__
from tomas_pipeline.core.errors import TomasError
from tomas_pipeline.core.project import CONFIG, find_project, shown


def _root(args: argparse.Namespace) -> Path:
    return find_project(getattr(args, "project", None))


def _config(args: argparse.Namespace, root: Path) -> tuple[Path, dict]:
    """The config file (a given --config is relative to the current folder,
    the default to the project) and its checked contents."""
    from tomas_pipeline.core.config import SCHEMA, load_config

    path = shown(args.config) if getattr(args, "config", None) else shown(root / CONFIG)
    return path, load_config(path, root / SCHEMA)


def _cmd_country(args: argparse.Namespace) -> int:
    from tomas_pipeline.sources.countries import cli_country

    if args.raw is not None:
        raw = Path(args.raw)
    else:
        root = _root(args)
        raw = shown(root / _config(args, root)[1]["paths"]["raw"])
    return cli_country(" ".join(args.name), raw)


def _cmd_validate(args: argparse.Namespace) -> int:
    from tomas_pipeline.core.buildinfo import build_info
    from tomas_pipeline.core.config import relocate
    from tomas_pipeline.core.errors import TomasInputErrors
    from tomas_pipeline.sources.normalise import validate_all

    root = _root(args)
    path, config = _config(args, root)
    raw = shown(root / config["paths"]["raw"])
    # The same build date the pipeline checks against, so the two always agree.
    day = dt.date.fromisoformat(build_info(root, raw).date)
    try:
        counts = validate_all(raw, config["focus_countries"], config["comparison_countries"], build_date=day)
    except TomasInputErrors as exc:
        raise relocate(exc, path, config) from None
    for name, n in counts.items():
        print(f"{name:16} {n:5d} rows")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    """Run the whole pipeline (the same as a bare `snakemake` in the project)."""
    cmd = [sys.executable, "-m", "snakemake", *args.snakemake_args]
    return subprocess.call(cmd, cwd=_root(args))


def _cmd_render(args: argparse.Namespace) -> int:
    # The render engine has its own command line (also `python -m tomas_pipeline.render`).
    from tomas_pipeline.render import cli_render

    return cli_render(args.render_args)


def _cmd_brief(args: argparse.Namespace) -> int:
    from tomas_pipeline.briefs import make_brief
    from tomas_pipeline.briefs.content import Stamp
    from tomas_pipeline.core.buildinfo import build_info
    from tomas_pipeline.sources.countries import Register

    root = _root(args)
    config = _config(args, root)[1]
    raw = shown(root / config["paths"]["raw"])
    processed = Path(args.processed) if args.processed else shown(root / config["paths"]["processed"])
    iso2 = Register.load(raw).resolve(" ".join(args.country)).iso2
    # The paper's stamp: SOURCE_DATE_EPOCH or the last commit's time, never the clock.
    info = build_info(root, raw)
    stamp = Stamp(info.version, dt.date.fromisoformat(info.date), info.commit, info.data_hash)
    for lang in args.lang or ["en"]:
        written = make_brief(iso2, lang, args.out, processed, root / "config" / "indicators.yaml", raw, stamp,
                             info.epoch, citation=root / "CITATION.cff")
        for path in written.values():
            print(path)
    return 0


def _release_step(command: str, refused: str, failed: str, step):
    """Run a release step; its refusal or failure becomes one line on stderr and exit 1 (None)."""
    from tomas_pipeline.release.bundle import ReleaseRefused

    try:
        return step()
    except ReleaseRefused as exc:
        print(f"tomas {command}: {refused}: {exc}", file=sys.stderr)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"tomas {command}: {failed}: {exc}", file=sys.stderr)
    return None


def _cmd_release(args: argparse.Namespace) -> int:
    from tomas_pipeline.release.bundle import make_release

    made = _release_step("release", "refused", "failed", lambda: make_release(args.repo or _root(args)))
    if made is None:
        return 1
    bundle, archive = made
    print(bundle)
    print(archive)
    return 0


def _cmd_verify_release(args: argparse.Namespace) -> int:
    from tomas_pipeline.release.bundle import verify_release

    problems = _release_step("verify-release", "cannot verify", "the rebuild failed",
                             lambda: verify_release(args.repo or _root(args), args.version, scratch=args.scratch))
    if problems is None:
        return 1
    for line in problems:
        print(f"MISMATCH {line}")
    if problems:
        print(f"tomas verify-release: {args.version} does not rebuild as recorded ({len(problems)} mismatches)",
              file=sys.stderr)
        return 1
    print(f"tomas verify-release: {args.version} rebuilds byte for byte from its commit")
    return 0


_EXAMPLES = {
    "country": """examples:
  tomas country Serbia
  tomas country FYROM
  tomas country Србија --raw data/raw""",
    "validate": """examples:
  tomas validate
  tomas validate --config config/other.yaml""",
    "build": """Options tomas does not know are passed on to Snakemake (see `snakemake --help`);
Snakemake runs in the project folder, so paths given to it are relative to that.

examples:
  tomas build
  tomas build -n
  tomas build --cores 1 --forceall""",
    "brief": """Reads the processed tables (run `tomas build` first); writes COUNTRY-LANG.md, .html and .pdf
and the figure the Markdown shows, COUNTRY-LANG-penalties.svg (HTML and PDF embed it).

examples:
  tomas brief Serbia --lang sr_Cyrl --out briefs/
  tomas brief AL --lang sq --lang en --out briefs/
  tomas brief "North Macedonia" --lang mk --out /tmp/briefs""",
    "release": """examples:
  tomas release
  tomas release --repo ~/src/tomas""",
    "verify-release": """examples:
  tomas verify-release 0.1.0
  tomas verify-release 0.1.0 --scratch /tmp/tomas-check""",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tomas", description="TOMAS toolkit: the advocacy paper rebuilt from data.",
                                     epilog="examples:\n  tomas validate\n  tomas build -n\n  tomas country Serbia\n"
                                            "  tomas render -h",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"tomas {__version__}")
    project_help = "the project folder (default: the nearest folder at or above this one with a Snakefile and " \
                   f"{CONFIG})"
    parser.add_argument("--project", metavar="DIR", default=None, help=project_help)
    # The same option after the command; SUPPRESS keeps a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", metavar="DIR", default=argparse.SUPPRESS, help=project_help)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str, **kwargs) -> argparse.ArgumentParser:
        made = sub.add_parser(name, help=help, description=help, epilog=_EXAMPLES.get(name), parents=[common],
                              formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False, **kwargs)
        made.set_defaults(own_parser=made)  # so a refused option is shown with this command's usage
        return made

    country = command("country", "look a country name up in the register")
    country.add_argument("name", nargs="+", help="a name as a source writes it, e.g. FYROM or Србија")
    country.add_argument("--raw", default=None,
                         help="folder with the register tables (default: the config's paths.raw)")
    country.set_defaults(func=_cmd_country)

    validate = command("validate", "check every raw table without writing anything")
    validate.add_argument("--config", default=None, help=f"the config file (default: the project's {CONFIG})")
    validate.set_defaults(func=_cmd_validate)

    build = command("build", "run the whole pipeline with Snakemake")
    build.set_defaults(func=_cmd_build, snakemake_args=[])

    render = sub.add_parser("render", add_help=False,
                            help="render a Quarto project (real Quarto or the built-in engine); see `tomas render -h`")
    render.add_argument("render_args", nargs=argparse.REMAINDER,
                        help="PROJECT [--to html,pdf,docx] [--engine …] [-M k=v]")
    render.set_defaults(func=_cmd_render)

    from tomas_pipeline.briefs.i18n import LANGUAGES

    brief = command("brief", "write a country brief in one or more languages (HTML, PDF and its Markdown)")
    brief.add_argument("country", nargs="+", help="a name the register knows or an ISO code, e.g. Serbia, RS, Србија")
    brief.add_argument("--lang", action="append", choices=LANGUAGES, default=None,
                       help="language (repeat for several; default: en)")
    brief.add_argument("--out", required=True, metavar="DIR", help="folder to write the brief into")
    brief.add_argument("--processed", default=None, metavar="DIR",
                       help="the processed tables (default: the config's paths.processed)")
    brief.set_defaults(func=_cmd_brief)

    release = command("release", "build and bundle this version for citing (clean tree, new version)")
    release.add_argument("--repo", default=None, help="the repository to release from (default: the project)")
    release.set_defaults(func=_cmd_release)

    verify = command("verify-release", "rebuild a recorded release from its commit and check every file's SHA-256")
    verify.add_argument("version", help="a version recorded in releases/, e.g. 0.1.0")
    verify.add_argument("--repo", default=None,
                        help="the repository holding releases/ and the release commit (default: the project)")
    verify.add_argument("--scratch", default=None, help="folder for the clone (kept); default: a temporary one")
    verify.set_defaults(func=_cmd_verify_release)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["render"]:
        # Everything after `render` belongs to the engine's own parser, -h included.
        return _cmd_render(argparse.Namespace(render_args=argv[1:]))
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if args.command == "build":
        args.snakemake_args = unknown  # Snakemake's own options and targets
    elif unknown:
        getattr(args, "own_parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args.func(args) or 0)
    except TomasError as exc:
        # A problem the user can fix: its message, no traceback. Anything else is a bug and keeps one.
        print(f"tomas: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
