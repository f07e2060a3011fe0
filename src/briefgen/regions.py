"""The region tree a config (or its department template) declares once: 市 → 县市区,
optionally through groups (城区 / 县市), plus groups that may overlap it (开发区).

Every parent is a place whose figures can be totalled from its children
(:mod:`briefgen.metrics` does the totalling); the tree also says which regions a
ranking, a regions table or a regions chart lists by default.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from briefgen.errors import BriefgenError

#: Row labels that mean "the total of the table" in a statistics sheet.
TOTAL_LABELS = ("合计", "总计", "全市", "全市合计", "全县", "全区", "全省", "全州", "全盟", "全旗", "全部")

_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"^(其中[:：]?|#|＃|\*)")


def clean_name(name: Any) -> str:
    """A region name as tables write it → as the tree writes it: "夷 陵 区" → "夷陵区", "其中：城区" → "城区"."""
    s = _SPACE.sub("", str(name if name is not None else ""))
    return _PREFIX.sub("", s)


class RegionTree:
    """Parents and their children, in the order declared."""

    def __init__(self, spec: dict[str, Any] | None = None, groups: dict[str, list[str]] | None = None,
                 where: str | None = None):
        self.children: dict[str, list[str]] = {}
        self.parent: dict[str, str] = {}
        self.roots: list[str] = []
        self.groups: dict[str, list[str]] = {}
        self._where = where
        for name, sub in (spec or {}).items():
            root = self._name(name)
            self.roots.append(root)
            self._add(root, sub, (root,))
        for g, members in (groups or {}).items():
            gname = self._name(g)
            if gname in self.children:
                raise BriefgenError(f"分组“{gname}”与地区树中的地区重名", where=where)
            if not isinstance(members, list) or not members:
                raise BriefgenError(f"分组“{gname}”应为地区列表", where=where)
            self.groups[gname] = [self._name(m) for m in members]

    def _name(self, v: Any) -> str:
        if not isinstance(v, (str, int)) or isinstance(v, bool) or not clean_name(v):
            raise BriefgenError(f"地区树中的地区名“{v}”无效，应为文字", where=self._where)
        return clean_name(v)

    def _add(self, parent: str, sub: Any, path: tuple[str, ...]) -> None:
        if sub is None:
            return
        kids: list[tuple[str, Any]] = []
        if isinstance(sub, dict):
            kids = list(sub.items())
        elif isinstance(sub, list):
            for item in sub:
                if isinstance(item, dict):
                    kids += list(item.items())
                else:
                    kids.append((item, None))
        else:
            raise BriefgenError(f"地区“{parent}”的下级应为列表或映射", where=self._where,
                                hint="如 宜昌市: [夷陵区, 西陵区]，或 宜昌市: {城区: [...], 县市: [...]}")
        names = self.children.setdefault(parent, [])
        for k, v in kids:
            name = self._name(k)
            if name in self.parent or name in self.roots or name in path:
                raise BriefgenError(f"地区“{name}”在地区树中出现了两次", where=self._where)
            self.parent[name] = parent
            names.append(name)
            self._add(name, v, path + (name,))

    def __bool__(self) -> bool:
        return bool(self.roots or self.groups)

    def is_parent(self, name: str) -> bool:
        """Whether `name` has children (in the tree or as a group)."""
        return bool(self.children.get(name)) or name in self.groups

    def children_of(self, name: str) -> list[str]:
        """The direct children of a parent or the members of a group; [] for a leaf."""
        return list(self.children.get(name) or self.groups.get(name) or [])

    def leaves(self, name: str) -> list[str]:
        """Every leaf under `name` (name itself for a leaf)."""
        kids = self.children_of(name)
        if not kids:
            return [name]
        out: list[str] = []
        for k in kids:
            out += self.leaves(k)
        return out

    def siblings(self, name: str) -> list[str]:
        """The children of `name`'s parent, `name` included; [] if it has no parent."""
        p = self.parent.get(name)
        return self.children_of(p) if p else []

    def root_of(self, name: str) -> str:
        """The top of the tree `name` is in (name itself if it has no parent)."""
        while name in self.parent:
            name = self.parent[name]
        return name

    @property
    def names(self) -> list[str]:
        """Every region named in the tree and the groups, parents first."""
        out = list(self.roots)
        for p in list(self.children):
            out += [c for c in self.children[p] if c not in out]
        for g, members in self.groups.items():
            out += [x for x in [g, *members] if x not in out]
        return out

    def total_region(self) -> str | None:
        """The one root, which the total rows of a sheet (合计、全市) stand for."""
        return self.roots[0] if len(self.roots) == 1 else None


def unknown_home(name: str, tree: RegionTree, data_regions: list[str]) -> tuple[str, str] | None:
    """(message, hint) when the briefing's own region is named neither in the region tree nor in the
    data that have regions (宜昌 for 宜昌市): every figure of it would be missing. None when it is known."""
    known = [r for r in dict.fromkeys([*tree.names, *data_regions]) if r]
    if not name or not data_regions or name in known:
        return None
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.4) or [r for r in known if name in r or r in name][:3]
    where = "数据和地区树（regions:）中都没有" if tree else "数据中没有"
    hint = f"是否想写：{'、'.join(close)}" if close else \
        f"数据中的地区：{'、'.join(known[:8])}{'等' if len(known) > 8 else ''}"
    return f"本地区名称“{name}”不认识：{where}这个地区", hint
