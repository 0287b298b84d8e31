"""Cell-output cache of the built-in engine (issue 19; design in docs/engine.md).

A *unit* is a run of consecutive steps (cells and inline expressions) from one
source file: the document's own text or one included chapter. A unit's stored
outputs are reused when its code key matches, every file it read last time
still has the bytes (or absence, or folder listing) it had, and no unit it
depends on is stale. A stale unit re-runs in a fresh kernel together with every
earlier unit it depends on; dependencies come from the names the code mentions
(`ast`), made transitive, and any unit the analysis cannot follow depends on,
and is depended on by, everything.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import re
import symtable
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

log = logging.getLogger("tomas.render")
FORMAT = 2  # bump when the entry layout changes: old entries then simply miss

# Runs in the kernel after the engine's setup cell: records every file a step
# opens for reading, stats (an existence check is a read of the absence), or
# lists, and every file it opens for writing (a side effect a cache would skip) or
# program or network connection it starts (what they give is not a file to key on).
# `tomas.read` is the event reporting.data raises for its in-process table cache.
RECORDER_CODE = """\
def _tomas_recorder(skip):
    import os, sys, json
    reads, writes = {}, set()
    # IPython's and matplotlib's own caches (history, font list) are theirs, not the document's.
    own = [get_ipython().profile_dir.location]
    if "matplotlib" in sys.modules:
        own.append(sys.modules["matplotlib"].get_cachedir())
    skip = skip + tuple(os.path.join(os.path.abspath(p), "") for p in own if p)
    outside = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn", "os.fork",
               "socket.connect", "urllib.Request"}
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def note(path, kind, into=None):
        if isinstance(path, int) or path is None:
            return
        try:
            path = os.path.abspath(os.fsdecode(os.fspath(path)))
        except (TypeError, ValueError, OSError):
            return
        # A name longer than NAME_MAX never exists: IPython's Markdown(text) asks whether its text is a file.
        if path.startswith(skip) or any(len(part) > 255 for part in path.split(os.sep)):
            return
        if into is not None:
            into.add(path)
        else:
            reads.setdefault(path, set()).add(kind)

    def hook(event, args):
        if event == "tomas.read":
            note(args[0], "content")
        elif event == "open":
            path, mode, flags = args
            writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool(flags & write_flags)
            note(path, "content", writes if writing else None)
        elif event in ("os.listdir", "os.scandir"):
            note(args[0] if args[0] is not None else ".", "listing")
        elif event in outside:  # what another program or the network gives cannot be keyed
            writes.add(f"({event})")

    sys.addaudithook(hook)
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        note(path, "content")
        return real_stat(path, *args, **kwargs)

    os.stat = stat

    def take():
        print(json.dumps({"reads": {p: sorted(k) for p, k in reads.items()}, "writes": sorted(writes)}))
        reads.clear()
        writes.clear()

    return take

_tomas_reads = _tomas_recorder(SKIP)
del _tomas_recorder


def _tomas_state(names):
    # A fingerprint of each name's value (its pickle), to tell which names a unit changed.
    import hashlib, json, pickle
    space = get_ipython().user_ns
    out = {}
    for name in names:
        if name not in space:
            out[name] = "absent"
            continue
        try:
            out[name] = hashlib.sha256(pickle.dumps(space[name], protocol=4)).hexdigest()
        except Exception:
            out[name] = None  # cannot be fingerprinted: counted as changed
    print(json.dumps(out))
"""

# Names whose use means the analysis cannot say what a unit reads or changes.
_OPAQUE_NAMES = {
    "globals", "locals", "vars", "exec", "eval", "compile", "__import__", "get_ipython", "setattr", "delattr",
    "In", "Out", "_", "__", "___", "_oh", "_ih", "_dh", "__builtins__", "builtins",
}
# IPython's history names (_i, _ii, _i3, _3) and the engine's own helpers.
_OPAQUE_NAME_RE = re.compile(r"_i+\d*|_\d+|_tomas.*")
# Attribute names that change process-wide state (cwd, environment, plotting and
# printing defaults, random seeds, warnings, import machinery).
_OPAQUE_ATTRS = {
    "chdir", "environ", "putenv", "unsetenv", "rcParams", "rc", "rcdefaults", "rc_context", "seed", "set_option",
    "reset_option", "option_context", "options", "setlocale", "filterwarnings", "simplefilter", "resetwarnings",
    "set_printoptions", "setrecursionlimit", "addaudithook", "modules", "set_matplotlib_formats", "style",
    "set_theme", "set_style", "set_context", "default_rng", "random", "use", "path",
}


@dataclass
class Step:
    """One thing the kernel runs: a code cell or an inline expression."""

    kind: str  # "cell" | "inline"
    index: int  # chunk index
    code: str  # the cell's code or the inline expression
    file: str
    where: str
    start: int = 0  # inline: offset of the match in the chunk
    options: dict = field(default_factory=dict)


@dataclass
class Unit:
    number: int
    file: str
    steps: list[Step]
    key: str = ""
    mentions: set[str] = field(default_factory=set)
    binds: set[str] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)
    mutated: set[str] = field(default_factory=set)  # roots of `x.a = ...`, `x[k] = ...`
    opaque: bool = False
    analysed: bool = False
    # The names whose values its last run changed (fingerprints before and after), when that
    # run is known to be what this render's would be (its entry is used and nothing before
    # it that it depends on is stale); None: only the static analysis can say.
    changed: set[str] | None = None

    @property
    def name(self) -> str:
        return self.steps[0].where.split(" (")[0]


def units_of(steps: list[Step]) -> list[Unit]:
    units: list[Unit] = []
    for step in steps:
        if units and units[-1].file == step.file:
            units[-1].steps.append(step)
        else:
            units.append(Unit(len(units), step.file, [step]))
    return units


def _scope_names(table: symtable.SymbolTable, top: bool, unit: Unit) -> None:
    """Module-level names a step's code uses or binds; names local to a function, lambda
    or comprehension (`[c for c in xs]`) are left out, as Python leaves them out."""
    for symbol in table.get_symbols():
        name = symbol.get_name()
        if top:
            unit.mentions.add(name)
            if symbol.is_imported():
                unit.imports.add(name)
            if symbol.is_assigned() or symbol.is_namespace():
                unit.binds.add(name)
        elif symbol.is_global():
            unit.mentions.add(name)
    for child in table.get_children():
        _scope_names(child, False, unit)


def _analyse(unit: Unit) -> None:
    """Over-approximate the names a unit mentions and binds (more names only add dependencies)."""
    if unit.analysed:
        return
    unit.analysed = True
    for step in unit.steps:
        mode = "exec" if step.kind == "cell" else "eval"
        try:
            tree = ast.parse(step.code, mode=mode)
            table = symtable.symtable(step.code, "<cell>", mode)
        except SyntaxError:  # IPython magics, shell escapes: not Python the analysis can follow
            unit.opaque = True
            continue
        _scope_names(table, True, unit)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                if node.id in _OPAQUE_NAMES or _OPAQUE_NAME_RE.fullmatch(node.id):
                    unit.opaque = True
            elif isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
                unit.opaque = True
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                unit.opaque = True  # a function that rebinds globals when some later cell calls it
            elif isinstance(node, ast.Attribute) and node.attr in _OPAQUE_ATTRS:
                unit.opaque = True
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    root = target
                    while isinstance(root, (ast.Attribute, ast.Subscript)):
                        root = root.value
                    if root is not target and isinstance(root, ast.Name):
                        unit.mutated.add(root.id)


def dependencies(units: list[Unit]) -> list[set[int]]:
    """For each unit, the earlier units whose effects its run may see (transitively).

    A unit touches a name when it binds it, or mentions it while some unit binds it
    other than by `import` (an in-place change: `df.loc[...] = x`, `items.append(x)`).
    Names bound only by imports are modules: only their import touches them, and an
    assignment into a module (`R.MISSING = ...`) makes the unit opaque. Builtins and
    names no unit binds are not state the document changes.
    """
    for unit in units:
        _analyse(unit)
    bound = set().union(*(u.binds for u in units)) if units else set()
    imported = set().union(*(u.imports for u in units)) if units else set()
    modules = {n for n in imported if n not in bound}
    for unit in units:
        if unit.mutated & modules:  # `R.MISSING = ...`: module state the names do not show
            unit.opaque = True
    # Only names some unit binds are state the document sets up (a unit that shadows
    # a builtin binds it); builtins and IPython's own names are not.
    state = bound | imported
    # What a unit may have changed: what it binds or imports, the roots of what it assigns
    # into, and the state names it mentions (any use could change an object in place), or,
    # when its run was observed, the names that run changed instead of the last.
    touches = [u.binds | u.imports | u.mutated & state
               | (u.mentions & (state - modules) if u.changed is None or u.opaque else u.changed & state)
               for u in units]
    deps: list[set[int]] = []
    for s, unit in enumerate(units):
        wanted = unit.mentions & state
        chosen: set[int] = set()
        followed: set[int] = set()  # chosen, and the names they mention are wanted too
        grew = True
        while grew:
            grew = False
            for u in range(s):
                if u in followed:
                    continue
                shared = touches[u] & wanted
                if units[u].opaque or shared - modules:
                    # What it bound or changed may hold objects reached through any name it
                    # mentions (`y = x`, then `x.append(...)`): follow those names too. An
                    # opaque unit may have read or changed anything before it.
                    for v in (range(u + 1) if units[u].opaque else (u,)):
                        if v not in followed:
                            followed.add(v)
                            wanted |= units[v].mentions & state
                    chosen |= followed
                    grew = True
                elif shared and u not in chosen:
                    # Wanted for a module only: an import binds no object of the document's,
                    # but the unit runs, so it runs with what it depends on itself.
                    chosen |= {u} | deps[u]
                    grew = True
        if unit.opaque:
            chosen = set(range(s))
        deps.append(chosen)
    return deps


def _sha(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, default=str).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


# One stored entry, for the cell cache and the Pandoc part cache alike: {"sha256": ..., "body": {"key": ...}}.
def read_record(path: Path, key: str, layout: Callable[[dict], bool], what: str = "entry") -> dict | None:
    """The entry's body; None when there is none, or when it is damaged (then removed, with a warning)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        body = record["body"]
        if record.get("sha256") != _sha(body) or body.get("key") != key:
            raise ValueError("checksum does not match")
        if not layout(body):
            raise ValueError("unexpected layout")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("render cache: ignoring damaged %s %s (%s)", what, path.name, exc)
        path.unlink(missing_ok=True)
        return None
    return dict(body)


def write_record(path: Path, body: dict) -> None:
    """Written whole or not at all: a killed render leaves no half entry behind."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"sha256": _sha(body), "body": body}), encoding="utf-8")
    os.replace(tmp, path)


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_ENV_PREFIXES = ("TOMAS_", "PYTHON", "MPL", "LC_", "JUPYTER", "IPYTHON")
_ENV_NAMES = ("SOURCE_DATE_EPOCH", "LANG", "LANGUAGE", "TZ", "PATH", "HOME")


def environment_key(setup: str, kernel: str, argv: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    """What every unit's outputs depend on besides its own code and files."""
    import tomas_pipeline

    dists = sorted((d.metadata["Name"] or "", d.version) for d in importlib_metadata.distributions())
    seen = {k: v for k, v in env.items() if k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES}
    return _sha(FORMAT, setup, kernel, argv, str(cwd), seen, dists, sys.version,
                _tree_hash(Path(tomas_pipeline.__file__).parent))


def unit_key(environment: str, unit: Unit, defaults: dict) -> str:
    # Code, options and inline expressions; not the prose around them, nor positions.
    return _sha(environment, defaults, [(s.kind, s.code, s.options) for s in unit.steps])


def fingerprint(path: str, kinds: list[str]) -> str:
    """What a step saw of `path`: its bytes, its absence, a folder, or a folder's names."""
    p = Path(path)
    parts = []
    for kind in sorted(kinds):
        try:
            if kind == "listing":
                parts.append("listing:" + (_sha(sorted(os.listdir(p))) if p.is_dir() else "none"))
            elif p.is_file():
                parts.append("file:" + hashlib.sha256(p.read_bytes()).hexdigest())
            else:
                parts.append("dir" if p.is_dir() else ("other" if p.exists() else "absent"))
        except OSError as exc:  # e.g. IPython's Markdown(text) asks whether its text names a file
            parts.append(f"error:{exc.errno}")
    return " ".join(parts)


class Store:
    """One JSON file per unit key in a document's folder, checksummed so that a
    damaged file is a miss, never wrong outputs."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def load(self, key: str) -> dict | None:
        path = self._path(key)
        body = read_record(path, key, lambda b: isinstance(b["reads"], dict) and isinstance(b["outputs"], list))
        if body is None:
            return None
        self.used.add(path.name)
        for path_read, (kinds, print_) in body["reads"].items():
            if fingerprint(path_read, kinds) != print_:
                return None
        return body

    def save(self, key: str, unit: str, reads: dict[str, list[str]], outputs: list,
             changed: list[str] | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        body = {"key": key, "unit": unit, "reads": {p: [k, fingerprint(p, k)] for p, k in sorted(reads.items())},
                "outputs": outputs, "changed": changed}
        path = self._path(key)
        write_record(path, body)
        self.used.add(path.name)

    def prune(self) -> None:
        """Drop entries this render neither used nor wrote (older versions of the text)."""
        if self.folder.is_dir():
            for path in self.folder.glob("*.json"):
                if path.name not in self.used and path.name != "stats.json":
                    path.unlink(missing_ok=True)

    def write_stats(self, units: list[Unit], ran: set[int]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stats = {"units": len(units), "executed": [u.name for u in units if u.number in ran],
                 "reused": [u.name for u in units if u.number not in ran]}
        (self.folder / "stats.json").write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
        self.used.add("stats.json")


def skip_prefixes() -> tuple[str, ...]:
    """Files the recorder leaves out: the interpreter, installed packages (their versions
    are in the key) and the tomas_pipeline sources (hashed into the key)."""
    import sysconfig

    import tomas_pipeline

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(tomas_pipeline.__file__).parent)}
    roots |= {p for p in (sysconfig.get_paths().get(k) for k in ("stdlib", "purelib", "platlib")) if p}
    roots |= {p for p in sys.path if p and "site-packages" in p}
    return tuple(sorted({os.path.join(os.path.abspath(r), "") for r in roots})) + ("/proc/", "/dev/", "/sys/")
