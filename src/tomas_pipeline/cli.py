"""The `tomas` command: small entry points over the package's functions."""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

from tomas_pipeline import __version__
from tomas_pipeline.errors import TomasInputError, TomasInputErrors


def _cmd_country(args: argparse.Namespace) -> int:
    from tomas_pipeline.countries import cli_country

    return cli_country(" ".join(args.name), Path(args.raw))


def _cmd_validate(args: argparse.Namespace) -> int:
    from tomas_pipeline.config import load_config
    from tomas_pipeline.normalise import validate_all

    from tomas_pipeline.buildinfo import build_info

    config = load_config(args.config)
    # The same build date the pipeline checks against, so the two always agree.
    day = dt.date.fromisoformat(build_info(".", config["paths"]["raw"]).date)
    counts = validate_all(config["paths"]["raw"], config["focus_countries"], config["comparison_countries"],
                          build_date=day)
    for name, n in counts.items():
        print(f"{name:16} {n:5d} rows")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    """Run the whole pipeline (the same as a bare `snakemake` in the repository)."""
    cmd = [sys.executable, "-m", "snakemake", *args.snakemake_args]
    return subprocess.call(cmd)


def _cmd_render(args: argparse.Namespace) -> int:
    # The render engine has its own command line (also `python -m tomas_pipeline.render`).
    from tomas_pipeline.render import cli_render

    return cli_render(args.render_args)


def _cmd_release(args: argparse.Namespace) -> int:
    from tomas_pipeline.release import ReleaseRefused, make_release

    try:
        bundle, archive = make_release(args.repo)
    except ReleaseRefused as exc:
        print(f"tomas release: refused: {exc}", file=sys.stderr)
        return 1
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"tomas release: failed: {exc}", file=sys.stderr)
        return 1
    print(bundle)
    print(archive)
    return 0


def _cmd_verify_release(args: argparse.Namespace) -> int:
    from tomas_pipeline.release import ReleaseRefused, verify_release

    try:
        problems = verify_release(args.repo, args.version, scratch=args.scratch)
    except ReleaseRefused as exc:
        print(f"tomas verify-release: cannot verify: {exc}", file=sys.stderr)
        return 1
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"tomas verify-release: the rebuild failed: {exc}", file=sys.stderr)
        return 1
    for line in problems:
        print(f"MISMATCH {line}")
    if problems:
        print(f"tomas verify-release: {args.version} does not rebuild as recorded ({len(problems)} mismatches)",
              file=sys.stderr)
        return 1
    print(f"tomas verify-release: {args.version} rebuilds byte for byte from its commit")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tomas", description="TOMAS toolkit: the advocacy paper rebuilt from data.")
    parser.add_argument("--version", action="version", version=f"tomas {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    country = sub.add_parser("country", help="look a country name up in the register")
    country.add_argument("name", nargs="+", help="a name as a source writes it, e.g. FYROM or Србија")
    country.add_argument("--raw", default="data/raw", help="folder with the register tables")
    country.set_defaults(func=_cmd_country)

    validate = sub.add_parser("validate", help="check every raw table without writing anything")
    validate.add_argument("--config", default="config/config.yaml")
    validate.set_defaults(func=_cmd_validate)

    build = sub.add_parser("build", help="run the whole pipeline with Snakemake")
    build.add_argument("snakemake_args", nargs=argparse.REMAINDER, help="passed on to snakemake")
    build.set_defaults(func=_cmd_build)

    render = sub.add_parser("render", add_help=False,
                            help="render a Quarto project (real Quarto or the built-in engine); see `tomas render -h`")
    render.add_argument("render_args", nargs=argparse.REMAINDER, help="PROJECT [--to html,pdf,docx] [--engine …] [-M k=v]")
    render.set_defaults(func=_cmd_render)

    release = sub.add_parser("release", help="build and bundle this version for citing (clean tree, new version)")
    release.add_argument("--repo", default=".", help="the repository to release from")
    release.set_defaults(func=_cmd_release)

    verify = sub.add_parser("verify-release",
                            help="rebuild a recorded release from its commit and check every file's SHA-256")
    verify.add_argument("version", help="a version recorded in releases/, e.g. 0.1.0")
    verify.add_argument("--repo", default=".", help="the repository holding releases/ and the release commit")
    verify.add_argument("--scratch", default=None, help="folder for the clone (kept); default: a temporary one")
    verify.set_defaults(func=_cmd_verify_release)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["render"]:
        # Everything after `render` belongs to the engine's own parser, -h included.
        return _cmd_render(argparse.Namespace(render_args=argv[1:]))
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (TomasInputError, TomasInputErrors) as exc:
        print(f"tomas: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
