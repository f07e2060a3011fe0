"""Safety: output names stay in the output folder, failed builds lose nothing,
YAML builds no objects, templates have limits, nothing reaches the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefgen.errors import BriefgenError
from support import MINI_CSV, mini_config, write_config

CSV = MINI_CSV


def _cfg(tmp: Path, **extra) -> Path:
    return write_config(tmp, mini_config(**extra))


def test_sqlite_path_cannot_add_uri_options(tmp_path):
    import sqlite3

    from briefgen.config import load_config
    from briefgen.data import load_dataset

    db = tmp_path / "s?mode=rwc#x.sqlite"
    con = sqlite3.connect(db)
    con.execute("create table obs(indicator text, period text, value real)")
    con.execute("insert into obs values ('高企', '2021', 857)")
    con.commit()
    con.close()
    cfg = _cfg(tmp_path, data=[{"sql": "select * from obs", "database": db.name}])
    ds = load_dataset(load_config(cfg))
    assert ds.get("高企", "宜昌市", "2021").value == 857
    with pytest.raises(BriefgenError, match="网址"):
        load_dataset(load_config(_cfg(tmp_path, data=[{"sql": "select 1", "database": "http://x/db"}])))
    assert os.listdir(tmp_path)  # the database was only read
