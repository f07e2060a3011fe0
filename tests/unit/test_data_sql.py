"""Safety: output names stay in the output folder, failed builds lose nothing,
YAML builds no objects, templates have limits, nothing reaches the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from briefgen.errors import BriefgenError

CSV = "指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n"


def _cfg(tmp: Path, **extra) -> Path:
    (tmp / "d.csv").write_text(CSV, encoding="utf-8")
    cfg = {"name": "mini", "region": "宜昌市", "period": 2021, "meta": {"title": "测试简报", "organ": "某局"},
           "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
           "sections": [{"heading": "总体情况", "text": "全市高企{{ hte }}，{{ hte.yoy | growth }}。"}]}
    cfg.update(extra)
    p = tmp / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return p


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
