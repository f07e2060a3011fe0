"""The warm core and the thin client (issue #14): what is reused, what is not, and which
command lines the client leaves to the full CLI."""

from __future__ import annotations

import os
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest

from briefgen.errors import BriefgenError
from briefgen.server.client import parse_build_args
from briefgen.server.warm import WarmInputs, recording
from support import MINI_CSV, mini_config, write_config

CSV = MINI_CSV


def _project(folder, csv=CSV, title="测试简报"):
    return write_config(folder, mini_config(meta={"title": title, "organ": "某局"},
                                            sections=[{"heading": "总体情况", "text": "全市高企{{ hte }}。"}]), csv)


def test_recording_sees_files_opened_and_folders_listed(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    with recording() as deps:
        (tmp_path / "a.txt").read_text()
        try:
            open(tmp_path / "missing.txt")
        except FileNotFoundError:
            pass
        os.listdir(tmp_path)
        (tmp_path / "w.txt").write_text("written, not read")
    assert str(tmp_path / "a.txt") in deps.files
    assert deps.files[str(tmp_path / "missing.txt")] is None  # a file that appears later matters too
    assert str(tmp_path) in deps.files
    assert str(tmp_path / "w.txt") not in deps.files
    assert deps.seal() is False  # the folder's listing changed while recording (w.txt appeared)


def test_config_and_data_reused_until_their_files_change(tmp_path):
    cfg_path = _project(tmp_path)
    inputs = WarmInputs()
    cfg = inputs.config(cfg_path)
    ds = inputs.dataset(cfg)
    assert inputs.config(cfg_path) is cfg and inputs.dataset(cfg) is ds
    # touched, same content: still reused
    time.sleep(0.01)
    os.utime(tmp_path / "d.csv")
    assert inputs.dataset(cfg) is ds
    # changed content, same size: read again
    (tmp_path / "d.csv").write_text(CSV.replace("857", "557"), encoding="utf-8")
    ds2 = inputs.dataset(cfg)
    assert ds2 is not ds
    assert [o.value for k, o in ds2.obs.items() if k[2] == "2021"] == [557]
    # the config changed: validated again
    _project(tmp_path, csv=CSV.replace("857", "557"), title="新标题")
    cfg2 = inputs.config(cfg_path)
    assert cfg2 is not cfg and cfg2.model.meta.title == "新标题"
    # an override is another config
    assert inputs.config(cfg_path, ["meta.title=别的"]).model.meta.title == "别的"


def test_a_dataset_whose_rows_name_their_regions_serves_every_region(tmp_path):
    """The jobs of a batch (one per county) share one reading of the data when every row names
    its region; rows naming none belong to the briefing's region, so then each region reads its own."""
    named = "指标,地区,时期,数值,单位\n高企,夷陵区,2021,85,家\n高企,西陵区,2021,64,家\n高企,夷陵区,2020,70,家\n"
    cfg_path = _project(tmp_path / "named", csv=named)
    inputs = WarmInputs()
    a = inputs.config(cfg_path, ["region=夷陵区"])
    b = inputs.config(cfg_path, ["region=西陵区"])
    ds = inputs.dataset(a)
    assert not ds.region_bound and inputs.dataset(b) is ds and inputs.dataset(a) is ds
    # unnamed rows: the region decides whose figures they are
    cfg_path = _project(tmp_path / "unnamed")
    a = inputs.config(cfg_path, ["region=夷陵区"])
    b = inputs.config(cfg_path, ["region=西陵区"])
    da, db = inputs.dataset(a), inputs.dataset(b)
    assert da.region_bound and db is not da
    assert {k[1] for k in da.obs} == {"夷陵区"} and {k[1] for k in db.obs} == {"西陵区"}
    assert inputs.dataset(a) is da  # each still kept for its own region
    # the shared one changes into a region-bound one when its file does
    (tmp_path / "named" / "d.csv").write_text(CSV, encoding="utf-8")
    c = inputs.config(tmp_path / "named" / "b.yaml", ["region=夷陵区"])
    d = inputs.config(tmp_path / "named" / "b.yaml", ["region=西陵区"])
    assert {k[1] for k in inputs.dataset(c).obs} == {"夷陵区"}
    assert {k[1] for k in inputs.dataset(d).obs} == {"西陵区"}


def test_errors_are_never_remembered(tmp_path):
    cfg_path = _project(tmp_path)
    cfg_path.write_text("name: [\n", encoding="utf-8")
    inputs = WarmInputs()
    with pytest.raises(BriefgenError):
        inputs.config(cfg_path)
    _project(tmp_path)
    assert inputs.config(cfg_path).model.name == "mini"


def test_warnings_are_repeated_on_reuse(tmp_path, monkeypatch):
    inputs = WarmInputs()
    calls = []

    def make():
        calls.append(1)
        warnings.warn("字体缺少字符", UserWarning, stacklevel=1)
        return 42

    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert inputs._get(("x",), make) == 42
        assert [str(w.message) for w in caught] == ["字体缺少字符"]
    assert calls == [1]


def test_sql_sources_are_read_every_time(tmp_path):
    _sql_project(tmp_path)
    inputs = WarmInputs()
    c = inputs.config(tmp_path / "b.yaml")
    assert inputs.dataset(c) is not inputs.dataset(c)


@pytest.mark.parametrize("argv, expect", [
    (["b.yaml"], {"config": "b.yaml", "out": "output", "format": "docx,pdf"}),
    (["b.yaml", "--out", "o", "--format=pdf", "--set", "period=2022", "--set=a=b"],
     {"config": "b.yaml", "out": "o", "format": "pdf", "set": ["period=2022", "a=b"]}),
    (["--allow-path", "x", "b.yaml", "--templates", "t"], {"allow_paths": ["x"], "templates": ["t"]}),
])
def test_client_reads_build_options(argv, expect):
    got = parse_build_args(argv)
    assert got is not None
    for k, v in expect.items():
        assert got[k] == v


@pytest.mark.parametrize("argv", [[], ["--help"], ["b.yaml", "--debug"], ["b.yaml", "c.yaml"], ["b.yaml", "--out"],
                                  ["b.yaml", "--outt", "x"], ["-h"]])
def test_client_leaves_the_rest_to_the_cli(argv):
    assert parse_build_args(argv) is None


def test_server_stops_when_its_code_changed(tmp_path):
    """After an upgrade the server answers "stale", stops, and the client builds in-process."""
    import socket
    import threading

    from briefgen.server import protocol
    from briefgen.server.daemon import Server

    calls = []
    folder = tempfile.mkdtemp(prefix="bgu-", dir="/tmp")
    server = Server(Path(folder) / "s" / "serve.sock", lambda req, cancelled: calls.append(req) or {"exit": 0},
                    log=lambda m: None)
    server.bind()
    try:
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        while not server.signature:
            time.sleep(0.01)
        server.signature = {"/no/such/file.py": (0, 0)}  # as if a module changed since start
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(server.path))
        protocol.send(sock, {"op": "build", "identity": protocol.identity(), "args": {}})
        reply = protocol.receive(sock)
        sock.close()
        t.join(5)
        assert reply is not None and reply["fallback"] == "stale" and "notice" in reply
        assert not calls and server.stale and not t.is_alive()
    finally:
        server.close()
    assert not server.path.exists()


def test_server_refuses_another_installation(tmp_path):
    import socket
    import threading

    from briefgen.server import protocol
    from briefgen.server.daemon import Server

    folder = tempfile.mkdtemp(prefix="bgu-", dir="/tmp")
    server = Server(Path(folder) / "s" / "serve.sock", lambda req, cancelled: {"exit": 0}, log=lambda m: None)
    server.bind()
    try:
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(server.path))
        protocol.send(sock, {"op": "build", "identity": {"package": "/elsewhere", "version": "0"}, "args": {}})
        assert protocol.receive(sock) == {"fallback": "identity"}
        sock.close()
        server.stopping = True
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(server.path))  # wakes the loop so it sees `stopping`
        sock.close()
        t.join(5)
    finally:
        server.close()


def _sql_project(tmp_path):
    import sqlite3

    db = tmp_path / "d.db"
    con = sqlite3.connect(db)
    con.execute("create table t (指标 text, 时期 text, 数值 real, 单位 text)")
    con.execute("insert into t values ('高企', '2021', 857, '家'), ('高企', '2020', 640, '家')")
    con.commit()
    con.close()
    cfg = mini_config(meta={"title": "t", "organ": "某局"}, data=[{"sql": "select * from t", "database": "d.db"}])
    del cfg["sections"]
    return write_config(tmp_path, cfg, csv=None)


def test_plausibility_checks_never_pin_datasets(tmp_path, monkeypatch):
    """SQL datasets are never kept, and neither are their checks (they once pinned every dataset
    read, ~150 MB a build on a large database); a kept dataset's checks go with it."""
    import gc
    import weakref

    from briefgen.pipeline import Inputs

    calls = []
    real = Inputs.plausibility
    monkeypatch.setattr(Inputs, "plausibility", lambda self, ds, region: calls.append(region) or real(self, ds, region))
    inputs = WarmInputs()
    (tmp_path / "sql").mkdir()
    cfg = inputs.config(_sql_project(tmp_path / "sql"))
    refs = []
    for _ in range(5):
        ds = inputs.dataset(cfg)
        inputs.plausibility(ds, "宜昌市")
        refs.append(weakref.ref(ds))
        del ds
    gc.collect()
    assert all(r() is None for r in refs), "a SQL dataset outlived its build"
    assert [k[0] for k in inputs._memo] == ["config"] and len(calls) == 5
    # a file dataset: its checks are made once and kept with it ...
    cfg2 = inputs.config(_project(tmp_path / "csv"))
    ds = inputs.dataset(cfg2)
    assert inputs.plausibility(ds, "宜昌市") == inputs.plausibility(ds, "宜昌市") and len(calls) == 6
    # ... and dropped with it when newer datasets push it out
    ref = weakref.ref(ds)
    del ds
    for i in range(WarmInputs.MAX_DATASETS):
        inputs.dataset(inputs.config(_project(tmp_path / f"csv{i}")))
    gc.collect()
    assert ref() is None
    assert sorted(k[0] for k in inputs._memo) == ["config"] * 4 + ["data"] * WarmInputs.MAX_DATASETS


def test_font_file_appearing_beside_the_config_is_a_change(tmp_path, monkeypatch):
    """A bare font file name that means an installed font while no such file lies beside the
    config: once the file is put there, the warm fonts use it, as a fresh process would."""
    import shutil

    from briefgen.fonts import clear_caches
    from briefgen.fonts.chains import bundled_dir
    from briefgen.fonts.discovery import _ENV_FONT_DIRS

    installed = tmp_path / "installed"
    installed.mkdir()
    shutil.copyfile(bundled_dir() / "BriefgenHei-Medium.ttf", installed / "mychart.ttf")
    project = tmp_path / "p"
    project.mkdir()
    monkeypatch.setenv(_ENV_FONT_DIRS, str(installed))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    clear_caches()
    try:
        inputs = WarmInputs()
        for _ in range(3):  # the first may not be kept (the font caches were written meanwhile)
            before = inputs.fonts({"heading1": "mychart.ttf"}, project, "b.yaml")
        assert before["heading1"].primary.path.parent == installed and inputs.hits >= 1
        shutil.copyfile(bundled_dir() / "BriefgenKai-Regular.ttf", project / "mychart.ttf")
        after = inputs.fonts({"heading1": "mychart.ttf"}, project, "b.yaml")
        assert after["heading1"].primary.path == project / "mychart.ttf"
    finally:
        clear_caches()


def _serving(tmp_path):
    import threading

    from briefgen.server.daemon import Server

    folder = tempfile.mkdtemp(prefix="bgu-", dir="/tmp")
    server = Server(Path(folder) / "s" / "serve.sock", lambda req, cancelled: {"exit": 0}, log=lambda m: None)
    server.bind()
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    while not server.signature:
        time.sleep(0.01)
    return server, t


def _ask(server, message):
    import socket

    from briefgen.server import protocol

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(str(server.path))
    protocol.send(sock, message)
    reply = protocol.receive(sock)
    sock.close()
    return reply


def test_upgraded_client_stops_the_old_server(tmp_path):
    """After an upgrade that changed the version (same package folder), the old server stops
    with the "code changed" status (75) instead of refusing the client as another installation."""
    from briefgen.server import protocol

    server, t = _serving(tmp_path)
    try:
        newer = {**protocol.identity(), "version": "99.0"}
        reply = _ask(server, {"op": "build", "identity": newer, "args": {}})
        t.join(5)
        assert reply is not None and reply["fallback"] == "stale" and server.stale and not t.is_alive()
    finally:
        server.close()


def test_stop_from_any_installation_of_the_same_user(tmp_path):
    server, t = _serving(tmp_path)
    try:
        reply = _ask(server, {"op": "stop", "identity": {"package": "/elsewhere", "version": "0"}})
        t.join(5)
        assert reply is not None and reply.get("stopped") == os.getpid() and not t.is_alive()
        assert not server.stale
    finally:
        server.close()


def _fake_server(tmp_path, monkeypatch, answer):
    """A socket at BRIEFGEN_SERVER_SOCKET whose one connection is handled by `answer(conn)`."""
    import socket
    import threading

    folder = Path(tempfile.mkdtemp(prefix="bgf-", dir="/tmp"))
    path = folder / "s.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)
    monkeypatch.setenv("BRIEFGEN_SERVER_SOCKET", str(path))
    monkeypatch.delenv("BRIEFGEN_SERVER", raising=False)

    def run():
        conn, _ = listener.accept()
        try:
            answer(conn)
        except OSError:
            pass
        finally:
            conn.close()
            listener.close()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize("case", ["no-ack", "silent", "beats"])
def test_client_never_hangs_on_a_stuck_server(tmp_path, monkeypatch, capsys, case):
    """No acknowledgement in time: the client builds itself, silently; acknowledged but then
    silent (a stopped server): it says so and builds itself; heartbeats keep it waiting."""
    from briefgen.server import client, protocol

    monkeypatch.setattr(protocol, "ACK_TIMEOUT", 0.5)
    monkeypatch.setattr(protocol, "SILENCE", 0.6)

    def answer(conn):
        protocol.receive(conn)
        if case == "no-ack":
            time.sleep(1)
            return
        protocol.send(conn, {"ack": 1})
        if case == "silent":
            time.sleep(1)
            return
        for _ in range(6):  # 1.8 s in all: three times the silence allowed, in beats
            time.sleep(0.3)
            protocol.send(conn, {"beat": 1})
        protocol.send(conn, {"exit": 0, "lines": [["out", "已生成 x.docx", None]]})

    t = _fake_server(tmp_path, monkeypatch, answer)
    t0 = time.monotonic()
    code = client.try_build(["b.yaml"])
    elapsed = time.monotonic() - t0
    out = capsys.readouterr()
    if case == "no-ack":
        assert code is None and out.err == "" and elapsed < 1.5
    elif case == "silent":
        assert code is None and "没有回应，改在当前进程中生成" in out.err and elapsed < 1.8
    else:
        assert code == 0 and "已生成 x.docx" in out.out and out.err == ""
    t.join(5)


def test_client_talks_only_to_its_own_users_server(tmp_path, monkeypatch):
    # A socket whose listener belongs to someone else (BRIEFGEN_SERVER_SOCKET in a shared folder)
    # gets no build: the client builds in its own process.
    import socket as _socket

    from briefgen.server import client, protocol

    path = tmp_path / "s.sock"
    listener = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)

    def impostor():  # answers like a server that built everything, every connection, until closed
        while True:
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    if protocol.receive(conn) is not None:  # as a server: the request first, then the answer
                        protocol.send(conn, {"exit": 0, "lines": [["out", "已生成 假的.pdf", None]]})
                except (OSError, ValueError):
                    pass  # the client hung up at once

    t = threading.Thread(target=impostor, daemon=True)
    t.start()
    try:
        monkeypatch.setenv("BRIEFGEN_SERVER_SOCKET", str(path))
        monkeypatch.setattr(protocol, "peer_uid", lambda conn: os.getuid() + 1)
        assert client.request({"op": "status"}, timeout=10) is None
        with pytest.raises(OSError):
            protocol.connect(path, 1.0)
        monkeypatch.setattr(protocol, "peer_uid", lambda conn: os.getuid())
        assert client.request({"op": "status"}, timeout=10) == {"exit": 0, "lines": [["out", "已生成 假的.pdf", None]]}
    finally:
        listener.close()
