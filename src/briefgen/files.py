"""Files in and out: reading text and YAML with Chinese errors, output paths that stay
in the output folder, and the one atomic write.

Every file briefgen writes goes through :func:`atomic_write` or :class:`StagedFiles`
(a temporary file beside the target, renamed into place), so a failed or
interrupted run never leaves half a file and never clobbers a good one.
"""

from __future__ import annotations

import datetime as _dt
import errno as _errno
import hashlib
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from briefgen.errors import BriefgenError
from briefgen.yamlpos import ConfigProblems, duplicate_keys, missing_colon_line, yaml_problem_zh

# --- caches -----------------------------------------------------------------


def cache_dir() -> Path:
    """Folder for on-disk caches: ``$XDG_CACHE_HOME/briefgen`` or ``~/.cache/briefgen``."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base and sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
    return Path(base or Path.home() / ".cache") / "briefgen"


# --- OS errors --------------------------------------------------------------

# What the user can do about the usual causes, in their words.
_CAUSES = {
    _errno.ENOSPC: ("磁盘空间已满", "请清理磁盘或换一个输出目录"),
    _errno.EDQUOT: ("超出磁盘配额", "请清理文件或换一个输出目录"),
    _errno.EROFS: ("所在的文件系统是只读的", "请换一个可写的目录"),
    _errno.EACCES: ("没有权限", "请检查该文件或文件夹的权限，或换一个目录"),
    _errno.EPERM: ("操作不被允许（权限不足）", "请检查该文件或文件夹的权限，或换一个目录"),
    _errno.ENOENT: ("文件或文件夹不存在", None),
    _errno.ENOTDIR: ("路径中有一段不是文件夹", None),
    _errno.EISDIR: ("这是一个文件夹", None),
    _errno.ENAMETOOLONG: ("文件名或路径过长", "请缩短输出文件名或目录"),
    _errno.EIO: ("读写出错（可能是磁盘或网络盘故障）", None),
    _errno.EMFILE: ("同时打开的文件过多", None),
    _errno.EBUSY: ("文件正被占用", "请关闭打开该文件的程序后重试"),
    _errno.ETXTBSY: ("文件正被占用", "请关闭打开该文件的程序后重试"),
}
# Faults that make every later write to the same disk fail too.
DISK_FAULTS = frozenset({_errno.ENOSPC, _errno.EDQUOT, _errno.EROFS})


class FileFault(BriefgenError):
    """An OS error reading or writing a file, told in Chinese; ``errno`` says which."""

    @property
    def errno(self) -> int | None:
        return self.__dict__.get("errno")


def os_error(e: OSError, path: Any = None, action: str = "读写文件") -> FileFault:
    """An OSError as one Chinese sentence: what failed (`action`), where, and why.

    `path` names the file when the error does not (a writer's ENOSPC carries no name)
    or when the error names a temporary file the user never asked for.
    """
    cause, hint = _CAUSES.get(e.errno or 0, (e.strerror or type(e).__name__, None))
    where = str(path) if path is not None else (os.fsdecode(e.filename) if e.filename is not None else None)
    err = FileFault(f"{action}失败：{cause}", where=where, hint=hint)
    err.__dict__["errno"] = e.errno  # kept by .at() and pickling (batch workers)
    return err


# --- reading ----------------------------------------------------------------


def read_text(path: Path, what: str = "文件") -> str:
    """Read a text file as UTF-8 (with or without BOM), falling back to GB18030."""
    path = Path(path)
    if not path.exists():
        raise BriefgenError(f"找不到{what}", where=str(path))
    if path.is_dir():
        raise BriefgenError(f"应为{what}，实际是文件夹", where=str(path))
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise os_error(e, path, f"读取{what}") from None
    if b"\x00" in raw[:4096]:
        raise BriefgenError(f"{what}不是文本文件（可能是二进制文件）", where=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Chinese Excel and Notepad commonly save GBK/GB18030.
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise BriefgenError(
            f"{what}的编码无法识别", where=str(path), hint="请另存为 UTF-8 编码后重试"
        ) from None


# The C parser is ~10× faster; the Python one is the fallback where libyaml is missing.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """Safe YAML with YAML 1.2 booleans: only true/false are booleans.

    YAML 1.1 also reads yes/no/on/off as booleans, so ``region: NO`` (Norway, or a
    county code) would silently become ``False``; here it stays the text "NO".
    Fields that are booleans still accept yes/no through pydantic's lax parsing.
    """


class _PyLoader(yaml.SafeLoader):
    """The pure-Python twin of :class:`_Loader`: slower, but its error messages name the
    offending character, so a file that fails is parsed again with it for the message."""


for _cls in (_Loader, _PyLoader):
    _cls.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _cls.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

# An alias bomb ("a: &a [*b, *b, …]" nested ten deep) is a kilobyte on disk and
# billions of nodes once expanded; real configs stay far below these.
MAX_YAML_NODES = 200_000
MAX_YAML_ALIASES = 1_000


@dataclass
class YamlDoc:
    """A parsed YAML file: the data, the node tree (positions) and the text."""

    data: Any
    root: yaml.Node | None
    text: str
    path: Path
    # Keys written twice (yamlpos.Problem): the config reports them with its other problems.
    duplicates: list[Any] = field(default_factory=list)

    def check(self, what: str = "文件") -> Any:
        """The data, or a ConfigProblems error for duplicate keys."""
        if self.duplicates:

            raise ConfigProblems(self.duplicates, title=f"{what}有误")
        return self.data


def _expanded_size(root: yaml.Node, where: str) -> None:
    """Refuse documents whose aliases expand beyond MAX_YAML_NODES (counted without expanding)."""
    sizes: dict[int, int] = {}
    aliases = 0
    seen_ids: set[int] = set()

    def size(node: yaml.Node) -> int:
        nonlocal aliases
        key = id(node)
        if key in sizes:
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise BriefgenError(f"YAML 中的别名（*引用）过多（超过{MAX_YAML_ALIASES}处）", where=where,
                                    hint="请直接写出内容，不要大量使用 & 锚点和 * 引用")
            return sizes[key]
        if key in seen_ids:  # a recursive alias: its size is unbounded
            raise BriefgenError("YAML 中的别名引用了自身", where=where)
        seen_ids.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v)
        sizes[key] = total
        if total > MAX_YAML_NODES:
            raise BriefgenError(f"YAML 内容展开后过大（超过{MAX_YAML_NODES}个节点，可能是别名嵌套）", where=where)
        return total

    sys_limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(sys_limit, 20_000))
        size(root)
    except RecursionError:
        raise BriefgenError("YAML 嵌套层数过多", where=where) from None
    finally:
        sys.setrecursionlimit(sys_limit)


def _yaml_error(e: Exception, path: Path, text: str) -> BriefgenError:

    if isinstance(e, yaml.YAMLError) and _BaseLoader is not yaml.SafeLoader:
        if "maximum nesting depth" in str(e):
            # libyaml's own guard; the pure-Python parser would only recurse until RecursionError.
            mark = getattr(e, "problem_mark", None)
            return BriefgenError("YAML 嵌套层数过多", where=f"{path}:{mark.line + 1}" if mark else str(path))
        try:
            yaml.load(text, Loader=_PyLoader)  # noqa: S506 - a safe loader
        except (yaml.YAMLError, ValueError) as detailed:
            e = detailed
        except RecursionError:
            return BriefgenError("YAML 嵌套层数过多", where=str(path))

    if isinstance(e, ValueError) and not isinstance(e, yaml.YAMLError):
        # PyYAML builds dates itself and raises a bare ValueError for 2022-02-30.
        for no, line in enumerate(text.splitlines(), start=1):
            for m in re.finditer(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", line):
                try:
                    _dt.date(*map(int, m.groups()))
                except ValueError:
                    return BriefgenError(f"日期“{m.group(0)}”不存在", where=f"{path}:{no}:{m.start() + 1}")
        return BriefgenError(f"YAML 内容无法解析：{e}", where=str(path))
    mark = getattr(e, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    problem = getattr(e, "problem", None) or str(e)
    if isinstance(e, yaml.reader.ReaderError):
        # An invisible control character pasted into the file: say where it is.
        before = text[: e.position]
        where = f"{path}:{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"
        if isinstance(e.character, int):
            problem = f"文件中有不可见的控制字符 U+{e.character:04X}，请删除它"
    cmark = getattr(e, "context_mark", None)
    if cmark and problem == "could not find expected ':'" \
            and getattr(e, "context", None) == "while scanning a simple key":
        # PyYAML marks where the key without its colon began: point there, not at the line after it.
        key = text.splitlines()[cmark.line].strip() if cmark.line < len(text.splitlines()) else ""
        return BriefgenError(f"YAML 格式错误：“{key}”缺少冒号“:”", where=f"{path}:{cmark.line + 1}",
                             hint="键和值之间写“: ”（冒号加空格）")
    if mark and problem == "mapping values are not allowed here":
        k = missing_colon_line(text, mark.line)
        if k is not None:
            # PyYAML read the key without its colon and this line as one text: point at that key.
            key = text.splitlines()[k].strip()
            return BriefgenError(f"YAML 格式错误：“{key}”缺少冒号“:”", where=f"{path}:{k + 1}",
                                 hint=f"键和值之间写“: ”（冒号加空格）；YAML 把第{k + 1}行和下一行连在一起读，"
                                      f"到第{mark.line + 1}行才发现出错")
    problem = yaml_problem_zh(problem, getattr(e, "context", None), cmark.line + 1 if cmark else None)
    return BriefgenError(f"YAML 格式错误：{problem}", where=where)


def parse_yaml(text: str, path: Path, what: str = "配置文件") -> YamlDoc:
    """Parse YAML text once: node tree for positions, then data; alias bombs are refused
    and duplicate keys listed in :attr:`YamlDoc.duplicates`."""

    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except (yaml.YAMLError, ValueError) as e:
            raise _yaml_error(e, path, text) from None
        except RecursionError:
            raise BriefgenError("YAML 嵌套层数过多", where=str(path)) from None
        if root is None:
            return YamlDoc(None, None, text, path)
        _expanded_size(root, str(path))
        dups = duplicate_keys(root, path)
        try:
            data = loader.construct_document(root)
        except (yaml.YAMLError, ValueError) as e:
            raise _yaml_error(e, path, text) from None
        except RecursionError:
            raise BriefgenError("YAML 嵌套层数过多", where=str(path)) from None
    finally:
        loader.dispose()
    return YamlDoc(data, root, text, path, dups)


def yaml_value(text: str) -> Any:
    """A single YAML scalar or flow value as written on a command line (``--set k=v``);
    text that is not YAML stays text."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError):
        return text


def load_yaml_doc(path: Path, what: str = "配置文件") -> YamlDoc:
    """Read and parse a YAML file (see :func:`parse_yaml`)."""
    path = Path(path)
    return parse_yaml(read_text(path, what), path, what)


def load_yaml(path: Path, what: str = "配置文件") -> Any:
    """The data of a YAML file; every problem (duplicate keys too) is a Chinese :class:`BriefgenError`."""
    return load_yaml_doc(path, what).check(what)


# --- writing ----------------------------------------------------------------


def make_shareable(path: str | os.PathLike[str]) -> None:
    """Give a finished output the permissions a normally created file would have.

    Temporary files come from mkstemp with mode 0600; renamed into a shared
    folder as they are, colleagues could not open the documents.
    """
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def _temp_beside(target: Path, suffix: str = ".part") -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    return Path(tmp)


def atomic_write(path: Path, data: bytes | str, *, best_effort: bool = False) -> bool:
    """Write `data` to `path` through a temporary file and a rename.

    Readers (another process, a crash) see the old file or the new one, never half
    of one. With ``best_effort`` an OS error returns False instead of raising:
    caches use it, since a read-only cache only costs speed.
    """
    path = Path(path)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temp_beside(path, ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        make_shareable(tmp)
        os.replace(tmp, path)
        return True
    except OSError:
        if not best_effort:
            raise
        return False
    finally:
        if tmp is not None and tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass


class StagedFiles:
    """Several outputs that appear together or not at all.

    ``stage(target)`` gives a temporary path beside the target; ``commit()`` renames
    every staged file into place; leaving the block without commit removes them.
    """

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []

    def stage(self, target: Path) -> Path:
        """A temporary file beside `target` to write instead of it."""
        tmp = _temp_beside(target, f".{target.suffix.lstrip('.')}.part" if target.suffix else ".part")
        self.pending.append((tmp, target))
        return tmp

    def commit(self) -> list[Path]:
        """Rename every staged file to its target; returns the targets."""
        done = []
        for tmp, target in self.pending:
            make_shareable(tmp)
            os.replace(tmp, target)
            done.append(target)
        self.pending = []
        return done

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, *exc: Any) -> None:
        for tmp, _ in self.pending:
            try:
                tmp.unlink()
            except OSError:
                pass
        self.pending = []


# --- confinement ------------------------------------------------------------


def is_inside(path: str | os.PathLike[str], roots: Any) -> bool:
    """True when `path`, with every symlink resolved, lies in one of `roots` (also resolved)."""
    real = os.path.normcase(os.path.realpath(path))
    for root in roots:
        r = os.path.normcase(os.path.realpath(root))
        if real == r or real.startswith(r.rstrip(os.sep) + os.sep):
            return True
    return False


# --- output paths -----------------------------------------------------------

# Names Windows reserves for devices, with or without an extension ("CON.docx").
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}
_ILLEGAL = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_COMPONENT_BYTES = 200  # below the 255-byte limit, leaving room for ".docx.part" etc.


def safe_component(text: Any, where: str | None = None) -> str:
    """One path component made safe on every OS; `..`, `.` and empty names are errors.

    Characters Windows forbids become "_", trailing dots/spaces are removed and
    device names (CON, NUL, COM1…) get a leading "_", so a region or period
    from the data always yields a plain file name.
    """
    raw = "" if text is None else str(text)
    s = unicodedata.normalize("NFC", raw).strip()
    if s in (".", ".."):
        raise BriefgenError(f"输出文件名不能是“{s}”", where=where, hint="文件名不能指向上级目录")
    s = _ILLEGAL.sub("_", s.replace("/", "_").replace("\\", "_"))
    s = s.rstrip(". ")
    if not s:
        raise BriefgenError(f"输出文件名为空或只含不允许的字符：“{raw}”", where=where)
    if s.split(".")[0].rstrip(" ").upper() in _RESERVED:
        s = "_" + s
    b = s.encode("utf-8")
    if len(b) > MAX_COMPONENT_BYTES:
        # Shortened names keep a hash of the whole name: two names alike in their
        # first 200 bytes must not become one file and overwrite each other.
        tag = "~" + hashlib.sha256(b).hexdigest()[:10]
        s = b[:MAX_COMPONENT_BYTES - len(tag)].decode("utf-8", "ignore").rstrip(". ") + tag
    return s


def safe_filename(name: Any, where: str | None = None) -> str:
    """A relative output path ("宜昌市/2021/简报") made safe component by component.

    Absolute paths, drive letters and `..` are refused (an output name must
    never leave the output folder); each component goes through
    :func:`safe_component`. Returns a POSIX-style relative path string.
    """
    raw = "" if name is None else str(name)
    s = raw.strip()
    if not s:
        raise BriefgenError("输出文件名为空", where=where)
    if s.startswith(("/", "\\")) or _DRIVE.match(s):
        raise BriefgenError(f"输出文件名不能是绝对路径：“{raw}”", where=where,
                            hint="只写文件名，输出目录用 --out 指定")
    parts = [p for p in re.split(r"[\\/]+", s) if p.strip() not in ("", ".")]
    if any(p.strip() == ".." for p in parts):
        raise BriefgenError(f"输出文件名不能包含“..”：“{raw}”", where=where,
                            hint="输出文件只能写在输出目录之内")
    if not parts:
        raise BriefgenError(f"输出文件名无效：“{raw}”", where=where)
    return str(PurePosixPath(*[safe_component(p, where) for p in parts]))


def output_path(out_dir: Path, name: str, suffix: str, where: str | None = None) -> Path:
    """`out_dir/name.suffix` for a name checked by :func:`safe_filename`, proven to stay inside."""
    rel = safe_filename(name, where)
    target = Path(out_dir) / f"{rel}.{suffix}" if suffix else Path(out_dir) / rel
    base = Path(out_dir).resolve()
    try:
        target.resolve().relative_to(base)
    except ValueError:
        # A symlink inside the output folder pointing elsewhere.
        raise BriefgenError(f"输出文件会写到输出目录之外：{target}", where=where) from None
    return target


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
