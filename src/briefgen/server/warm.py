"""The warm core: what a build reads, kept in memory and reused only while every file it came from is unchanged.

A config, the department templates it pulls in, its data and the fonts it resolves are
remembered together with the files each was made from. Those files are not listed by
hand: while a value is computed, a Python audit hook records every file opened (and every
folder listed), so a new kind of input cannot be forgotten. Before a value is reused, each
of its files is looked at again (size, modification and change times, inode); a file whose
look changed is hashed, and the value is reused only if its content is still the same.

The build server (:mod:`briefgen.server.daemon`) and batch workers use one
:class:`WarmInputs` per process; a one-shot build uses :class:`briefgen.pipeline.Inputs`.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from briefgen.config import Config
from briefgen.data import Dataset
from briefgen.files import sha256_file
from briefgen.fonts import clear_caches, discovery
from briefgen.pipeline import Inputs
from briefgen.templates import TEMPLATE_FILE, candidate_roots

__all__ = ["FileDeps", "WarmInputs", "recording"]

Sig = tuple[int, int, int, int] | None  # (size, mtime_ns, ctime_ns, inode); None: absent

_local = threading.local()
_hook_installed = False
_hook_lock = threading.Lock()


def _sig(path: str) -> Sig:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _hash(path: str) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def _audit(event: str, args: tuple) -> None:
    stack = getattr(_local, "stack", None)
    if not stack:
        return
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return
        writes = (mode is not None and any(c in mode for c in "wax+")) or \
                 (mode is None and isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writes:
            return  # the caches' own files, not inputs
    elif event in ("os.listdir", "os.scandir"):
        path = args[0] if args else "."
        if isinstance(path, int):
            return
        path = "." if path is None else path
    elif event == "sqlite3.connect":
        stack[-1].sql = True
        return
    else:
        return
    try:
        full = os.path.abspath(os.fsdecode(path))
    except (TypeError, ValueError):
        return
    deps = stack[-1]
    if full not in deps.files:
        deps.files[full] = _sig(full)  # looked at before it is read: a change while reading shows later


def _install_hook() -> None:
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_audit)  # cannot be removed; costs one attribute look-up per event when idle
            _hook_installed = True


@dataclass
class FileDeps:
    """The files (and folders) a value was made from, as they were then."""

    files: dict[str, Sig] = field(default_factory=dict)
    hashes: dict[str, str | None] = field(default_factory=dict)
    sql: bool = False  # read from a database: never reused (its tables change without the file's look)

    def seal(self, hash_files: bool = True) -> bool:
        """Hash the files read (unless `hash_files` is false: then any change of look counts);
        False if one changed while the value was made (then it is not kept)."""
        for path, sig in self.files.items():
            now = _sig(path)
            if now != sig:
                return False
            if hash_files and sig is not None and not stat.S_ISDIR(os.stat(path).st_mode):
                self.hashes[path] = _hash(path)
        return not self.sql

    def add_dir(self, path: Path | str) -> None:
        """Also depend on a folder's listing (a file appearing in it may shadow another)."""
        full = os.path.abspath(path)
        self.files.setdefault(full, _sig(full))

    def fresh(self) -> bool:
        """Whether every file still has the content it had (looks first, content when a look changed)."""
        for path, sig in self.files.items():
            now = _sig(path)
            if now == sig:
                continue
            if now is None or sig is None or path not in self.hashes:
                return False  # appeared, vanished, or a folder whose listing changed
            if _hash(path) != self.hashes[path]:
                return False
            self.files[path] = now  # touched, same content
        return True


class recording:
    """``with recording() as deps:`` collects the files opened in this thread into ``deps``."""

    def __enter__(self) -> FileDeps:
        _install_hook()
        self.deps = FileDeps()
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
        stack.append(self.deps)
        return self.deps

    def __exit__(self, *exc: object) -> None:
        _local.stack.remove(self.deps)
        outer = _local.stack[-1] if _local.stack else None
        if outer is not None:  # a value made inside another depends on the same files
            for k, v in self.deps.files.items():
                outer.files.setdefault(k, v)
            outer.sql = outer.sql or self.deps.sql


@dataclass
class _Entry:
    value: Any
    deps: FileDeps
    caught: list[warnings.WarningMessage]
    checks: dict[str, list[str]] = field(default_factory=dict)  # a dataset's plausibility checks by region


class WarmInputs(Inputs):
    """:class:`~briefgen.pipeline.Inputs` that remember configs, fonts, datasets and plausibility
    checks while their files are unchanged. Warnings raised while a value was made are raised
    again each time it is reused, so a warm build tells the user what a cold one does."""

    MAX_ENTRIES = 64  # per kind; the oldest is dropped first
    MAX_DATASETS = 2  # a dataset may hold a million rows: keep only the latest few

    def __init__(self) -> None:
        self._memo: dict[tuple, _Entry] = {}
        self.hits = 0
        self.misses = 0

    def _get(self, key: tuple, make: Callable[[], Any], extra_dirs: Callable[[Any], Iterable[Path]] = lambda v: (),
             hash_files: bool = True, on_stale: Callable[[], None] | None = None) -> Any:
        entry = self._memo.get(key)
        if entry is not None and entry.deps.fresh():
            self.hits += 1
            self._memo[key] = self._memo.pop(key)  # most recently used last
            for w in entry.caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            return entry.value
        if entry is not None and on_stale is not None:
            on_stale()
        self._memo.pop(key, None)
        self.misses += 1
        with warnings.catch_warnings(record=True) as caught, recording() as deps:
            warnings.simplefilter("always")
            value = make()  # an error is raised, never remembered
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        for d in extra_dirs(value):
            deps.add_dir(d)
        if deps.seal(hash_files):
            kind = [k for k in self._memo if k[0] == key[0]]
            limit = self.MAX_DATASETS if key[0] == "data" else self.MAX_ENTRIES
            for k in kind[: max(0, len(kind) - limit + 1)]:
                del self._memo[k]
            self._memo[key] = _Entry(value, deps, list(caught))
        return value

    def config(self, path: str | Path, overrides: list[str] | None = None, templates: list[Path] | None = None,
               allow_paths: Iterable[Path] = ()) -> Config:
        """The validated config (relative paths are kept as given, so messages read the same)."""
        key = ("config", os.getcwd(), str(path), tuple(overrides or ()), tuple(str(t) for t in templates or ()),
               tuple(str(a) for a in allow_paths), _env_key())

        def dirs(cfg: Config) -> list[Path]:
            # Folders whose new files would change the lookup: the config's, its templates', every
            # candidate root and each template's place in it, also where no folder is yet (a folder
            # created later is a change).
            out = [cfg.base, cfg.base / "templates", *cfg.narrative_dirs]
            roots = [root for root, _label in candidate_roots(list(templates or []))]
            out += roots
            tpl = cfg.template
            while tpl is not None:
                out += [p for root in roots for p in (root / tpl.name, root / tpl.name / TEMPLATE_FILE)]
                tpl = tpl.parent
            return out

        return self._get(key, lambda: super(WarmInputs, self).config(path, overrides, templates, allow_paths),
                         dirs)

    def fonts(self, overrides: dict[str, str] | None, base_dir: Path, where: str) -> dict[str, Any]:
        """The font chains by role; also redone when a font folder changes."""
        key = ("fonts", os.getcwd(), json.dumps(overrides or {}, sort_keys=True), str(base_dir), where, _env_key())
        # Font files are large and never edited in place: their look alone decides (no hashing).
        # A font file named in the config that is absent now (a bare name then means an installed
        # font) but appears later beside the config is a change too.
        named = [Path(os.path.abspath(base_dir / os.path.expanduser(v.strip().split("#")[0])))
                 for v in (overrides or {}).values()]
        return self._get(key, lambda: super(WarmInputs, self).fonts(overrides, base_dir, where),
                         lambda _v: [*_font_dirs(), *named], hash_files=False, on_stale=clear_caches)

    def dataset(self, cfg: Config) -> Dataset:
        """Every source read into one dataset (never kept for SQL sources). Keyed by what
        :func:`~briefgen.data.load_dataset` reads of the config — the sources, the region tree's total
        and, only where it decided some figure's region, the briefing's region — so the jobs of a
        batch that differ in period, wording or (mostly) region share one."""
        m = cfg.model
        key = ("data", os.getcwd(), str(cfg.path), str(cfg.base), cfg.regions.total_region(),
               json.dumps([s.model_dump(mode="json") for s in m.data], sort_keys=True), _env_key())
        # A dataset in which no figure took the briefing's region (every row names its own) is
        # kept once for all regions: the jobs of a batch, one per county, share it.
        any_key, own_key = (*key, None), (*key, m.region)
        k = any_key if any_key in self._memo else own_key
        ds = self._get(k, lambda: super(WarmInputs, self).dataset(cfg))
        right = own_key if ds.region_bound else any_key
        if k != right and k in self._memo:
            self._memo[right] = self._memo.pop(k)
        return ds

    def plausibility(self, ds: Dataset, region: str) -> list[str]:
        """The magnitude checks, once per kept dataset and region: kept with the dataset's own
        entry and dropped with it (nothing kept for a dataset that is not, such as SQL's)."""
        entry = next((e for k, e in self._memo.items() if k[0] == "data" and e.value is ds), None)
        if entry is None:
            return super().plausibility(ds, region)
        if region not in entry.checks:
            entry.checks[region] = list(super().plausibility(ds, region))
        return list(entry.checks[region])


def _env_key() -> str:
    """The environment that changes what a build reads: template roots, font folders, caches."""
    keys = ("BRIEFGEN_", "XDG_", "HOME", "LOCALAPPDATA", "WINDIR")
    return json.dumps(sorted((k, v) for k, v in os.environ.items() if k.startswith(keys)))


def _font_dirs() -> list[Path]:
    """Every font folder discovery walks (their listings change when a font is installed)."""
    out: list[Path] = []
    for top in [*discovery._system_font_dirs(), *discovery._extra_font_dirs()]:
        if not top.is_dir():
            out.append(top)  # absent: its creation is a change
            continue
        for dirpath, _dirs, _files in os.walk(top):
            out.append(Path(dirpath))
    return out
