"""Incremental builds: which files a job reads, their hashes, and the manifest.

A job whose inputs (config, data, narrative templates, letterhead, fonts,
briefgen's own code and library versions) hash the same as recorded in
``manifest.json``, and whose output files are intact, is skipped.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import briefgen
from briefgen import __version__
from briefgen.batch.plan import Job, Plan
from briefgen.config import load_config
from briefgen.files import FileFault, atomic_write, os_error, sha256_file
from briefgen.fonts import resolve_fonts
from briefgen.templates import search_roots

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
_MANIFEST_EVERY = 1.0  # seconds between manifest rewrites while jobs finish


class Stamps:
    """Content hashes of input files, recomputed only when size or mtime changed."""

    def __init__(self) -> None:
        self._memo: dict[str, dict[str, Any] | None] = {}

    def stamp(self, path: Path | str) -> dict[str, Any] | None:
        """Hash, size and mtime of a file (None if it cannot be read), computed once."""
        key = os.path.abspath(path)
        if key not in self._memo:
            try:
                st = os.stat(key)
                self._memo[key] = {"sha256": sha256_file(Path(key)), "size": st.st_size,
                                   "mtime_ns": st.st_mtime_ns}
            except OSError:
                self._memo[key] = None
        return self._memo[key]

    def current(self, path: str, recorded: dict[str, Any]) -> str | None:
        """Hash of `path` now, trusting `recorded` while size and mtime match (like make)."""
        key = os.path.abspath(path)
        if key in self._memo:
            s = self._memo[key]
            return s["sha256"] if s else None
        try:
            st = os.stat(key)
        except OSError:
            self._memo[key] = None
            return None
        if st.st_size == recorded.get("size") and st.st_mtime_ns == recorded.get("mtime_ns"):
            self._memo[key] = dict(recorded)
            return recorded.get("sha256")
        return (self.stamp(key) or {}).get("sha256")


_NARRATIVE_EXT = {".j2", ".jinja", ".jinja2", ".txt", ".md", ".yaml", ".yml", ".docx", ".dotx"}


def _folder_files(folder: Path, recursive: bool, limit: int = 2000) -> list[Path]:
    if not folder.is_dir():
        return []
    it = folder.rglob("*") if recursive else folder.iterdir()
    out = []
    for p in it:
        if p.suffix.lower() in _NARRATIVE_EXT and p.is_file() and not p.name.startswith("."):
            out.append(p)
            if len(out) >= limit:
                break
    return sorted(out)


def _font_stamp(face: Any) -> dict[str, Any]:
    try:
        st = os.stat(face.path)
        return {"path": str(face.path), "index": face.index, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    except OSError:
        return {"path": str(face.path), "index": face.index}


def _chain_stamps(chains: dict[str, Any]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for chain in chains.values():
        for face in chain.faces:
            k = (str(face.path), face.index)
            if k not in seen:
                seen.add(k)
                out.append(_font_stamp(face))
    return sorted(out, key=lambda d: (d["path"], d["index"]))


def _dep_overrides(overrides: list[str]) -> tuple[str, ...]:
    # Only these keys can change which files a config reads; region/period cannot.
    return tuple(o for o in overrides if o.split("=", 1)[0].strip().split(".")[0] in ("data", "fonts", "template"))


class Inputs:
    """Which files a job reads, computed once per config (and per file-changing override)."""

    def __init__(self, templates: list[Path], stamps: Stamps | None = None, allow_paths: tuple[Path, ...] = ()):
        self.templates = templates
        self.allow_paths = allow_paths
        self.stamps = stamps or Stamps()
        self._deps: dict[tuple, tuple[list[Path], list[dict[str, Any]]]] = {}

    def deps(self, job: Job) -> tuple[list[Path], list[dict[str, Any]]]:
        """(files the job reads, font stamps), computed once per config and file-changing overrides."""
        key = (str(job.config), _dep_overrides(job.overrides))
        if key not in self._deps:
            self._deps[key] = self._compute(job.config, list(key[1]))
        return self._deps[key]

    def _compute(self, config: Path, overrides: list[str]) -> tuple[list[Path], list[dict[str, Any]]]:

        cfg = load_config(config, overrides, self.templates, self.allow_paths)
        files: list[Path] = [config]
        for src in cfg.model.data:
            for rel in (src.file, src.database):
                if rel:
                    files.append(cfg.resolve(rel))
        files += [p for p in _folder_files(cfg.base, recursive=False)
                  if p.suffix.lower() in (".j2", ".jinja", ".jinja2")]
        files += _folder_files(cfg.base / "templates", recursive=True)
        tpl = getattr(cfg, "template", None)
        chain = tpl.chain() if tpl is not None and hasattr(tpl, "chain") else []
        for t in chain:
            files += _folder_files(Path(t.path), recursive=True)
        for d in getattr(cfg, "narrative_dirs", []) or []:
            if not any(Path(d) == Path(t.path) for t in chain):
                files += _folder_files(Path(d), recursive=True, limit=500)
        ref = getattr(cfg, "reference_docx", None)
        if ref:
            files.append(Path(ref))
        for v in (cfg.model.fonts or {}).values():
            p = cfg.resolve(str(v).split("#")[0]) if v else None
            if p is not None and p.is_file():
                files.append(p)
        chains = resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base, where=str(cfg.path))
        unique = list(dict.fromkeys(Path(os.path.abspath(f)) for f in files))
        return unique, _chain_stamps(chains)

    def record(self, job: Job) -> dict[str, Any]:
        """The manifest record of a job's inputs: each file's stamp and the fonts."""
        files, fonts = self.deps(job)
        inputs = {}
        for f in files:
            s = self.stamps.stamp(f)
            if s is not None:
                inputs[str(f)] = s
        return {"inputs": inputs, "fonts": fonts}


def environment(templates: list[Path] | None = None) -> dict[str, Any]:
    """Everything outside the job's own files that shapes the output."""

    pkg = Path(briefgen.__file__).parent
    code = hashlib.sha256()
    for p in sorted(pkg.rglob("*.py")):
        code.update(str(p.relative_to(pkg)).encode())
        code.update(p.read_bytes())
    versions: dict[str, str | None] = {}
    for dist in ("matplotlib", "reportlab", "python-docx", "jinja2", "fonttools", "pillow", "pyyaml"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None

    default_fonts = _chain_stamps(resolve_fonts(None))
    roots: list[str] = []
    try:

        roots = [str(Path(p).resolve()) for p, _label in search_roots(templates or None)]
    except Exception:  # noqa: BLE001 - department templates are optional here
        pass
    env = {
        "briefgen": __version__,
        "code": code.hexdigest()[:16],
        "python": ".".join(map(str, sys.version_info[:3])),
        "packages": versions,
        "fonts": hashlib.sha256(json.dumps(default_fonts, sort_keys=True).encode()).hexdigest()[:16],
        "template_roots": roots,
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("BRIEFGEN_")},
    }
    return env


def job_key(job: Job, record: dict[str, Any], env: dict[str, Any]) -> str:
    """One hash of everything that determines a job's outputs."""
    data = {
        "job": job.params(),
        "inputs": {k: v.get("sha256") for k, v in sorted(record["inputs"].items())},
        "fonts": record["fonts"],
        "env": env,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def up_to_date(job: Job, entry: dict[str, Any] | None, root: Path, stamps: Stamps, env: dict[str, Any]) -> bool:
    """True when the manifest entry was built from exactly these inputs and its files are intact."""
    if not entry or not isinstance(entry.get("inputs"), dict) or "key" not in entry:
        return False
    inputs = {}
    for path, rec in entry["inputs"].items():
        sha = stamps.current(path, rec if isinstance(rec, dict) else {})
        if sha is None:
            return False
        inputs[path] = {"sha256": sha}
    for f in entry.get("fonts") or []:
        try:
            st = os.stat(f["path"])
        except (OSError, KeyError, TypeError):
            return False
        if st.st_size != f.get("size") or st.st_mtime_ns != f.get("mtime_ns"):
            return False
    if job_key(job, {"inputs": inputs, "fonts": entry.get("fonts") or []}, env) != entry["key"]:
        return False
    files = entry.get("files") or {}
    wanted = job.files(root)
    if isinstance(files.get("audit"), dict) and files["audit"].get("path"):
        wanted["audit"] = root / files["audit"]["path"]  # an audit workbook deleted since is rebuilt
    for fmt, path in wanted.items():
        rec = files.get(fmt)
        try:
            if not rec or path.stat().st_size != rec.get("size"):
                return False
        except OSError:
            return False
    return True


def read_manifest(root: Path) -> dict[str, Any]:
    """The output folder's manifest, or {} when missing, unreadable or of another format."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}
    return data


def now_iso() -> str:
    """The local time now in ISO form with milliseconds, for manifest entries."""
    return _dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


class ManifestWriter:
    """The manifest of one run, rewritten atomically at most once a second and at the end."""

    def __init__(self, root: Path, plan: Plan, env: dict[str, Any]):
        self.root = root
        self.data = read_manifest(root)
        self.data.setdefault("outputs", {})
        self.data.update(format=MANIFEST_FORMAT, generator=f"briefgen {__version__}", environment=env,
                         jobs_file=str(plan.jobs_file), as_of=plan.as_of.isoformat())
        self.last = 0.0
        self.dirty = False
        self.error: FileFault | None = None  # the last write failed (full or read-only disk)

    @property
    def outputs(self) -> dict[str, Any]:
        return self.data["outputs"]

    def save(self, force: bool = False) -> None:
        """Write the manifest if it changed and a second has passed (always with `force`)."""
        if not (self.dirty or force):
            return
        if not force and time.monotonic() - self.last < _MANIFEST_EVERY:
            return
        self.data["updated"] = now_iso()
        try:
            atomic_write(self.root / MANIFEST, json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True))
        except OSError as e:
            # The batch goes on (and reports it): a missing manifest costs only a rebuild next time.
            self.error = os_error(e, self.root / MANIFEST, "写入 manifest.json")
            self.last = time.monotonic()
            return
        self.error = None
        self.last = time.monotonic()
        self.dirty = False
