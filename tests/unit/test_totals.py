"""Totals over the region tree (sums, ratios recomputed from their parts, published totals win
with a warning), formula functions over regions, operands pinned to a region or period, and
missing-data messages that say what the data do hold."""

import pytest

from briefgen.config import MetricCfg
from briefgen.data import Dataset, Obs
from briefgen.errors import BriefgenError
from briefgen.metrics import MetricBook
from briefgen.regions import RegionTree

CUR, PREV = "2022-01~09", "2021-01~09"
TREE = {"宜昌市": {"城区": ["西陵区", "伍家岗区"], "县市": ["宜都市", "枝江市"]}}
# (gdp, hti) per county: current, previous
FIG = {
    "西陵区": ((400.0, 380.0), (100.0, 90.0)),
    "伍家岗区": ((200.0, 190.0), (20.0, 25.0)),
    "宜都市": ((300.0, 280.0), (60.0, 50.0)),
    "枝江市": ((100.0, 100.0), (10.0, 10.0)),
}


def ds_with(extra: dict | None = None) -> Dataset:
    ds = Dataset()
    for county, ((g, gp), (h, hp)) in FIG.items():
        for per, gv, hv in ((CUR, g, h), (PREV, gp, hp)):
            ds.add("地区生产总值", county, per, Obs(gv, where="d.xlsx"), unit="亿元")
            ds.add("高新技术产业增加值", county, per, Obs(hv, where="d.xlsx"), unit="亿元")
            # Each county's share, as the sheet publishes it.
            ds.add("高新技术产业增加值占比", county, per, Obs(round(hv / gv * 100, 2), where="d.xlsx"), unit="%")
    for (ind, reg, per), v in (extra or {}).items():
        ds.add(ind, reg, per, Obs(v, where="d.xlsx：工作表“县市区”：D60"), unit=ds.indicators[ind].unit)
    return ds


def book(ds: Dataset | None = None, region: str = "宜昌市", **metrics) -> MetricBook:
    cat = {
        "gdp": MetricCfg(indicator="地区生产总值"),
        "hti": MetricCfg(indicator="高新技术产业增加值"),
        "share": MetricCfg(indicator="高新技术产业增加值占比", total="hti / gdp * 100"),
        **metrics,
    }
    return MetricBook(ds or ds_with(), cat, region=region, period="2022年1—9月", label="b.yaml",
                      regions=RegionTree(TREE))


def test_sum_for_every_parent_and_growth_of_the_total():
    b = book()
    assert b.value("gdp").value == 1000.0 and b.value("gdp").prev == 950.0
    assert b.value("gdp").yoy == pytest.approx(1000 / 950 * 100 - 100)
    assert b.value("gdp", "城区").value == 600.0 and b.value("gdp", "县市").value == 400.0
    assert not b.warnings


def test_a_rate_is_recomputed_from_its_parts_never_summed():
    b = book()
    share = b.value("share")
    assert share.value == pytest.approx(190 / 1000 * 100)  # Σhti / Σgdp, not 25 + 10 + 20 + 10 = 65
    assert share.prev == pytest.approx(175 / 950 * 100)
    assert share.pp == pytest.approx(19.0 - 175 / 950 * 100)
    assert b.value("share", "城区").value == pytest.approx(120 / 600 * 100)


def test_a_rate_without_a_declared_total_has_none():
    b = book(share=MetricCfg(indicator="高新技术产业增加值占比"))
    with pytest.raises(BriefgenError) as e:
        b.value("share").value
    assert "不能由下级地区相加" in str(e.value) and "total:" in str(e.value)


def test_published_total_wins_with_a_warning_when_it_differs():
    b = book(ds_with({("地区生产总值", "宜昌市", CUR): 1003.5}))
    assert b.value("gdp").value == 1003.5
    (w,) = b.warnings
    assert "公布数 1003.5亿元" in w and "相加的 1000.0亿元" in w and "采用公布数" in w


def test_published_total_that_agrees_gives_no_warning():
    b = book(ds_with({("地区生产总值", "宜昌市", CUR): 1000.0}))
    assert b.value("gdp").value == 1000.0 and not b.warnings


def test_a_missing_county_stops_the_total_and_says_which():
    ds = ds_with()
    del ds.obs[("地区生产总值", "枝江市", CUR)]
    b = book(ds)
    with pytest.raises(BriefgenError) as e:
        b.value("gdp").value
    assert "枝江市缺少数据" in str(e.value)


def test_total_none_uses_only_published():
    b = book(gdp=MetricCfg(indicator="地区生产总值", total="none"))
    with pytest.raises(BriefgenError, match="不合计"):
        b.value("gdp").value


def test_region_functions_in_formulas():
    b = book(
        gdp_share=MetricCfg(formula="gdp / sum(gdp) * 100", unit="%"),
        avg=MetricCfg(formula="mean(gdp)"), top=MetricCfg(formula="max(gdp)"), low=MetricCfg(formula="min(gdp)"),
        n=MetricCfg(formula="count(gdp)"), city_part=MetricCfg(formula="sum(gdp, '城区')"),
    )
    # At a county: over all the counties of its tree, so this is its share of the city.
    assert b.value("gdp_share", "西陵区").value == pytest.approx(40.0)
    assert b.value("avg").value == pytest.approx(250.0)  # at 宜昌市: over the four counties, not the two groups
    assert b.value("top", "宜都市").value == 400.0 and b.value("low", "宜都市").value == 100.0
    assert b.value("n").value == 4 and b.value("city_part", "宜都市").value == 600.0


def test_operands_pinned_to_a_region_or_period_are_read_there():
    b = book(
        city_gdp=MetricCfg(indicator="地区生产总值", region="宜昌市"),
        gdp_2021=MetricCfg(indicator="地区生产总值", period="2021年1—9月"),
        share_of_city=MetricCfg(formula="gdp / city_gdp * 100"),
        vs_last=MetricCfg(formula="gdp - gdp_2021"),
        via_at=MetricCfg(formula="gdp - at(gdp, period='2021年1-9月')"),
    )
    # 宜都市's share of the city: the operand city_gdp is the city's total, not 宜都市's own figure.
    assert b.value("share_of_city", "宜都市").value == pytest.approx(30.0)
    assert b.value("vs_last", "西陵区").value == 20.0 and b.value("via_at", "西陵区").value == 20.0


def test_pinned_operand_missing_names_the_pinned_place():
    b = book(city_gdp=MetricCfg(indicator="地区生产总值", region="当阳市"),
             r=MetricCfg(formula="gdp / city_gdp"))
    with pytest.raises(BriefgenError) as e:
        b.value("r", "宜都市").value
    assert "当阳市" in str(e.value)


def test_default_regions_are_the_counties():
    b = book()
    assert b.default_regions() == ["西陵区", "伍家岗区", "宜都市", "枝江市"]
    assert b.ranks(b.defn("gdp"), CUR) == {"西陵区": 1, "宜都市": 2, "伍家岗区": 3, "枝江市": 4}
    assert book(region="宜都市").default_regions() == ["西陵区", "伍家岗区", "宜都市", "枝江市"]


def test_total_formula_cycle_is_named():
    b = book(gdp=MetricCfg(indicator="地区生产总值", total="gdp * 2"))
    with pytest.raises(BriefgenError, match="循环引用"):
        b.value("gdp").value


@pytest.mark.parametrize("ask, expect", [
    (("gdp", "宜都市", "2022-09"), ["该指标有数据的时期", "2022年1—9月（2022-01~09）"]),
    (("gdp", "宜都", CUR), ["地区名称相近的有：宜都市"]),
])
def test_missing_data_lists_what_exists_nearby(ask, expect):
    b = book()
    key, region, period = ask
    with pytest.raises(BriefgenError) as e:
        b.value(key, region, period).value
    for s in expect:
        assert s in str(e.value)


def test_unknown_indicator_lists_near_names():
    ds = ds_with()
    assert "地区生产总值" in ds.nearest("地区生产值", "宜都市", CUR)


def test_region_tree_refuses_a_region_twice():
    with pytest.raises(BriefgenError, match="出现了两次"):
        RegionTree({"宜昌市": {"城区": ["西陵区"], "县市": ["西陵区"]}})


def test_region_tree_declared_once_in_a_department_template(tmp_path):
    import yaml

    from briefgen.config import load_config

    tpl = tmp_path / "templates" / "xian"
    tpl.mkdir(parents=True)
    (tpl / "template.yaml").write_text(yaml.safe_dump(
        {"title": "县市区", "regions": {"宜昌市": ["夷陵区", "宜都市"]}}, allow_unicode=True), encoding="utf-8")
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump({"name": "t", "template": "xian", "period": 2022, "meta": {"title": "t"}},
                                allow_unicode=True), encoding="utf-8")
    cfg = load_config(p)
    assert cfg.regions.children_of("宜昌市") == ["夷陵区", "宜都市"]
    # A config's own tree replaces the template's whole (trees are not merged county by county).
    p.write_text(yaml.safe_dump({"name": "t", "template": "xian", "period": 2022, "meta": {"title": "t"},
                                 "regions": {"宜昌市": ["当阳市"]}}, allow_unicode=True), encoding="utf-8")
    assert load_config(p).regions.children_of("宜昌市") == ["当阳市"]


def test_overlapping_groups_are_totalled_too():
    ds = ds_with()
    b = MetricBook(ds, {"gdp": MetricCfg(indicator="地区生产总值")}, region="宜昌市", period=CUR, label="b.yaml",
                   regions=RegionTree(TREE, {"沿江": ["西陵区", "枝江市"]}))
    assert b.value("gdp", "沿江").value == 500.0 and b.value("gdp").value == 1000.0
    assert b.default_regions() == ["西陵区", "伍家岗区", "宜都市", "枝江市"]  # a group is not a county
