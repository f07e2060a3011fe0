"""Font chains by role: which faces set 标题, 正文, 一级/二级标题 and 宋体 text, in order.

Each role resolves to a chain of faces:

1. paths or family names given by the caller (the department template);
2. the official fonts installed on the system (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312,
   FangSong, SimHei, KaiTi …) and proprietary look-alikes shipped with an OS or Office
   (华文仿宋, 华文中宋 …);
3. the open face shipped with briefgen for the role (``files/``: 朱雀仿宋, Briefgen Hei,
   Song and Kai), so a bare ``pip install`` gives every role its own typeface;
4. installed faces of the neighbouring roles (a title falls back to 宋体, …);
5. the other bundled faces, then open substitutes installed on the system (Noto/Source
   Han, AR PL, WenQuanYi …): they only fill in characters the faces before them lack.

Bundled faces rank above installed open substitutes: they are the same designs (Noto CJK)
or closer to the official ones (a real 仿宋 instead of a Song for the body), they are
TrueType (no CFF conversion on the first build) and a Linux desktop then gives the
same PDF as a bare server.

The DOCX never embeds fonts: it names the official families (:func:`official_names`)
and Word substitutes on machines that lack them. The PDF embeds whatever the chain
resolved to (:mod:`briefgen.writers.pdf.fonts`).
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Mapping

from briefgen.errors import BriefgenError, BriefgenWarning
from briefgen.fonts import discovery
from briefgen.fonts.catalogue import (
    ALIASES,
    ASCII_FONT,
    BUNDLED_FILES,
    BUNDLED_ORDER,
    BUNDLED_STAND_IN,
    CANDIDATES,
    FONT_EXTS,
    OFFICIAL_EAST_ASIA,
    REASON_BUNDLED,
    REASON_BUNDLED_FALLBACK,
    REASON_OVERRIDE,
    REASON_SUBSTITUTE,
    ROLE_LABELS,
    ROLES,
    TAILS,
)
from briefgen.fonts.discovery import LOCK, FaceRecord, FontIndex, coverage

# --------------------------------------------------------------------------- faces


@dataclass(frozen=True)
class FontFace:
    """One face of one font file, with the reason it was chosen (Chinese, for users)."""

    path: Path
    index: int
    family: str
    style: str
    is_cff: bool
    # Why the face was chosen; not part of its identity (one file, one face).
    reason: str = field(compare=False)

    def has_char(self, ch: str) -> bool:
        """True if the face's cmap maps ``ch`` (first code point if longer)."""
        if not ch:
            return False
        return ord(ch[0]) in coverage(self.path, self.index)

    @property
    def label(self) -> str:
        """Short identification for tables and logs, e.g. ``Noto Serif CJK SC Bold（….ttc#2）``."""
        suffix = f"#{self.index}" if self.index else ""
        style = "" if self.style in ("", "Regular") else f" {self.style}"
        return f"{self.family}{style}（{self.path.name}{suffix}）"


@dataclass
class FontChain:
    """Ordered faces for one role; per-character fallback walks the list."""

    role: str
    faces: list[FontFace]
    _memo: dict[str, FontFace] = field(default_factory=dict, repr=False, compare=False)

    @property
    def primary(self) -> FontFace:
        return self.faces[0]

    def face_for(self, ch: str) -> FontFace:
        """First face that has ``ch``; the last face when none has it (never raises)."""
        face = self._memo.get(ch)
        if face is None:
            face = next((f for f in self.faces if f.has_char(ch)), self.faces[-1])
            self._memo[ch] = face
        return face

    def split(self, text: str) -> list[tuple[str, FontFace]]:
        """Split ``text`` into runs drawn by one face each.

        Control characters, combining marks and variation selectors stay with the
        preceding character so they never start a run of their own; a space stays in
        the current run when that face has a space glyph.
        """
        runs: list[list] = []
        pending = ""  # neutral characters before the first real one
        for ch in text:
            if is_neutral(ch) or (ch.isspace() and runs and runs[-1][1].has_char(ch)):
                if runs:
                    runs[-1][0].append(ch)
                else:
                    pending += ch
                continue
            face = self.face_for(ch)
            if runs and runs[-1][1] == face:
                runs[-1][0].append(ch)
            else:
                runs.append([[pending + ch] if pending else [ch], face])
                pending = ""
        if pending:  # text made only of neutral characters
            runs.append([[pending], self.face_for(pending[0])])
        return [("".join(parts), face) for parts, face in runs]

    def chars_by_face(self, text: str) -> dict[FontFace, str]:
        """Characters of ``text`` grouped by face, for :func:`reportlab_font`'s ``chars``."""
        out: dict[FontFace, set[str]] = {}
        for run, face in self.split(text):
            out.setdefault(face, set()).update(run)
        return {face: "".join(sorted(chars)) for face, chars in out.items()}


def is_neutral(ch: str) -> bool:
    """Control characters, marks and separators: they stay with the character before them."""
    cat = unicodedata.category(ch)
    return cat[0] in "CM" or cat in ("Zl", "Zp")

# --------------------------------------------------------------------------- resolution


def _parse_spec(spec: str) -> tuple[str, tuple[int, ...]]:
    name, _, weights = spec.partition("@")
    return name, tuple(int(w) for w in weights.split(",") if w)


def _pick(recs: list[FaceRecord], weights: tuple[int, ...]) -> FaceRecord | None:
    if not recs:
        return None
    order = lambda r: (-r.zh, r.path, r.index)  # noqa: E731 - SC faces first, then stable
    if weights:
        for w in weights:
            near = [r for r in recs if abs(r.weight - w) <= 50]
            if near:
                return min(near, key=lambda r: (abs(r.weight - w),) + order(r))
        return None
    return min(recs, key=lambda r: (abs(r.weight - 400),) + order(r))


def _face_from_rec(rec: FaceRecord, reason: str) -> FontFace:
    return FontFace(Path(rec.path), rec.index, rec.family, rec.style, rec.is_cff, reason)


def _candidate_faces(role: str, index: FontIndex, kinds: tuple[str, ...], tails: bool) -> list[FontFace]:
    """Installed faces of the given kinds for `role` (or, with `tails`, for its neighbouring roles)."""
    faces: list[FontFace] = []
    for group_role in TAILS[role] if tails else (role,):
        for kind, label, specs in CANDIDATES[group_role]:
            if kind not in kinds:
                continue
            if kind == "official" and group_role == role:
                reason = f"系统已安装的官方字体（{label}）"
            elif kind != "open":  # another role's official font is only a look-alike here
                reason = f"系统已安装的同类字体（{label}）"
            else:
                reason = REASON_SUBSTITUTE
            for spec in specs:
                name, weights = _parse_spec(spec)
                # Stale fontconfig caches can list deleted files.
                recs = [r for r in index.lookup(name) if os.path.isfile(r.path)]
                rec = _pick(recs, weights)
                if rec is not None:
                    faces.append(_face_from_rec(rec, reason))
    return faces


def bundled_dir() -> Path:
    """The folder of the fonts shipped inside the package (``briefgen/fonts/files``)."""
    return Path(str(resources.files("briefgen.fonts") / "files"))


def bundled_font_path(name: str = "BriefgenHei-Medium.ttf") -> Path | None:
    """A bundled font file by name (default: the 黑体 face the charts use); None if missing."""
    path = bundled_dir() / name
    return path if path.is_file() else None


def default_font_path() -> Path | None:
    """The bundled 黑体 face (Briefgen Hei): the charts' font when nothing else is set."""
    return bundled_font_path()


_BUNDLED: dict[str, FaceRecord | None] = {}


def _bundled_record(name: str) -> FaceRecord | None:
    with LOCK:
        if name not in _BUNDLED:
            path = bundled_font_path(name)
            _BUNDLED[name] = _pick(discovery.scan_file(str(path)), ()) if path is not None else None
        return _BUNDLED[name]


def _bundled_faces(role: str) -> list[FontFace]:
    """The bundled faces of a role: its own face first, then the fill-ins for missing characters."""
    out = []
    for k, name in enumerate(BUNDLED_ORDER[role]):
        rec = _bundled_record(name)
        if rec is not None:
            what = BUNDLED_FILES[name][1]
            reason = f"{REASON_BUNDLED}：{what}" if k == 0 else f"{REASON_BUNDLED_FALLBACK}：{what}"
            if k == 0 and role in BUNDLED_STAND_IN:
                reason += f"。{BUNDLED_STAND_IN[role]}"
            out.append(_face_from_rec(rec, reason))
    return out


def _looks_like_path(value: str) -> bool:
    base = value.rsplit("#", 1)[0]
    return ("/" in base or "\\" in base or base.startswith("~")
            or os.path.splitext(base)[1].lower() in FONT_EXTS | {".woff", ".woff2", ".pfb", ".pfa", ".fon", ".ttx"})


def _override_face(role: str, value: str, index: FontIndex, base_dir: Path | None, where: str) -> FontFace | None:
    value = value.strip()
    if not _looks_like_path(value):
        rec = _pick(index.lookup(value), ())
        if rec is None:
            warnings.warn(BriefgenWarning(
                f"{where}：模板指定的字体“{value}”未安装，{ROLE_LABELS[role]}改用下一候选字体"), stacklevel=3)
            return None
        return _face_from_rec(rec, REASON_OVERRIDE)

    raw, sub = value, None
    m = re.fullmatch(r"(.+)#(\d+)", value)
    if m:
        raw, sub = m.group(1), int(m.group(2))
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    path = Path(os.path.abspath(path))
    hint = "请检查路径，或改写为已安装字体的名称（如“仿宋_GB2312”）；删除该项则自动选择字体"
    if not path.exists() and raw == os.path.basename(raw):
        # A bare "simfang.ttf" may mean the installed file of that name.
        recs = [r for r in index.lookup(raw) if sub is None or r.index == sub]
        rec = _pick(recs, ())
        if rec is not None:
            return _face_from_rec(rec, REASON_OVERRIDE)
    if not path.exists():
        raise BriefgenError(f"找不到字体文件“{raw}”（{path}）", where=where, hint=hint)
    if not path.is_file():
        raise BriefgenError(f"“{raw}”不是字体文件，而是一个文件夹", where=where, hint=hint)
    if path.suffix.lower() not in FONT_EXTS:
        raise BriefgenError(f"不支持的字体格式“{path.suffix}”：{path.name}", where=where,
                            hint="请使用 .ttf、.otf 或 .ttc 字体文件")
    recs = discovery.scan_file(str(path))
    if not recs:
        raise BriefgenError(f"无法读取字体文件“{path.name}”，文件可能已损坏或不是 TrueType/OpenType 字体",
                            where=where, hint=hint)
    if sub is not None:
        match = [r for r in recs if r.index == sub]
        if not match:
            raise BriefgenError(f"字体集合“{path.name}”中没有第 {sub} 号字体（共 {len(recs)} 个，编号从 0 开始）",
                                where=where)
        rec = match[0]
    else:
        picked = _pick(recs, ())
        if picked is None:
            raise BriefgenError(f"无法读取字体文件“{path.name}”", where=where, hint=hint)
        rec = picked
    return _face_from_rec(rec, REASON_OVERRIDE)


def resolve_fonts(
    overrides: Mapping[str, str] | None = None,
    *,
    system: bool | None = None,
    base_dir: str | Path | None = None,
    where: str | None = None,
) -> dict[str, FontChain]:
    """Resolve a :class:`FontChain` for every role (plus the ``kai``/``hei`` aliases).

    ``overrides`` maps role → font file path (``"a.ttc#2"`` picks a face) or family
    name; relative paths are taken from ``base_dir`` (the template's folder).  A
    missing file raises :class:`BriefgenError`; a missing family only warns.
    ``system=None`` honours ``BRIEFGEN_NO_SYSTEM_FONTS``.  ``where`` prefixes error
    locations (e.g. the template file name).
    """
    use_system = discovery.system_enabled(system)
    base = Path(base_dir) if base_dir is not None else None
    index = discovery.font_index(use_system)
    chosen: dict[str, list[FontFace]] = {role: [] for role in ROLES}
    for key, value in (overrides or {}).items():
        role = ALIASES.get(key, key)
        loc = f"{where}：fonts.{key}" if where else f"字体设置 fonts.{key}"
        if role not in chosen:
            raise BriefgenError(f"未知的字体角色“{key}”", where=loc,
                                hint="可用的角色：title、body、heading1、heading2、song（kai、hei 为别名）")
        if value is None or not str(value).strip():
            continue
        face = _override_face(role, str(value), index, base, loc)
        if face is not None:
            chosen[role].append(face)

    chains: dict[str, FontChain] = {}
    scan = use_system or bool(index.recs)
    for role in ROLES:
        faces = list(chosen[role])
        bundled = _bundled_faces(role)
        if scan:
            faces += _candidate_faces(role, index, ("official", "similar"), tails=False)
        faces += bundled[:1]
        if scan:
            faces += _candidate_faces(role, index, ("official", "similar"), tails=True)
        faces += bundled[1:]
        if scan:
            faces += _candidate_faces(role, index, ("open",), tails=False)
            faces += _candidate_faces(role, index, ("open",), tails=True)
        unique: list[FontFace] = []
        seen = set()
        for face in faces:
            if (face.path, face.index) not in seen:
                seen.add((face.path, face.index))
                unique.append(face)
        if not unique:
            raise BriefgenError(f"没有可用于{ROLE_LABELS[role]}的字体", where=where,
                                hint="briefgen 自带的字体文件缺失，请重新安装 briefgen，或在模板中指定字体文件")
        chains[role] = FontChain(role, unique)
    for alias, role in ALIASES.items():
        chains[alias] = chains[role]
    return chains


def official_names(overrides: Mapping[str, str] | None = None) -> dict[str, dict]:
    """Font names the DOCX should reference, per role (aliases included).

    ``east_asia`` is the GB/T 9704 typeface; ``ascii``/``hansi`` (Latin letters and
    digits) use Times New Roman by the usual 公文 convention.  Family-name overrides
    replace ``east_asia``; path overrides do not (Word cannot follow a path).
    """
    out: dict[str, dict] = {}
    for role in ROLES:
        out[role] = {"east_asia": OFFICIAL_EAST_ASIA[role], "ascii": ASCII_FONT, "hansi": ASCII_FONT}
    for key, value in (overrides or {}).items():
        role = ALIASES.get(key, key)
        if role in out and value and not _looks_like_path(str(value)):
            out[role]["east_asia"] = str(value).strip()
    for alias, role in ALIASES.items():
        out[alias] = dict(out[role])
    return out

def describe(chains: Mapping[str, FontChain]) -> list[dict]:
    """Rows for ``briefgen fonts``: what each role uses and why (aliases skipped)."""
    rows = []
    docx = official_names()
    for role, chain in chains.items():
        if chain.role != role:
            continue
        face = chain.primary
        note = ""
        if face.reason == REASON_SUBSTITUTE or face.reason.startswith(REASON_BUNDLED) or "同类" in face.reason:
            note = (f"PDF 使用替代字体；DOCX 仍标注“{docx[role]['east_asia']}”，"
                    "在装有该字体的电脑上打开即为标准字形")
        rows.append({
            "role": role,
            "role_label": ROLE_LABELS.get(role, role),
            "family": face.family,
            "style": face.style,
            "path": str(face.path),
            "index": face.index,
            "reason": face.reason,
            "cff": face.is_cff,
            "docx_name": docx[role]["east_asia"],
            "note": note,
            "licence": licence_path(face),
            # Strings for tables; the dicts below carry the details.
            "fallbacks": [f.label for f in chain.faces[1:]],
            "fallback_faces": [
                {"family": f.family, "style": f.style, "path": str(f.path), "index": f.index,
                 "reason": f.reason, "cff": f.is_cff}
                for f in chain.faces[1:]
            ],
        })
    return rows


def licence_path(face: FontFace) -> str:
    """The licence file shipped beside a bundled face ("" for any other face)."""
    entry = BUNDLED_FILES.get(face.path.name)
    if entry is None or face.path.parent != bundled_dir():
        return ""
    return str(face.path.parent / entry[0])


def clear_caches() -> None:
    """Forget in-memory scan/coverage/conversion state (disk caches stay)."""
    with LOCK:
        discovery.clear()
        _BUNDLED.clear()
