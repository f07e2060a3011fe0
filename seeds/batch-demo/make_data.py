"""生成批量示例数据（示例数据（虚构））：宜昌市13个县市区2023年1月—2024年6月科技创新月度指标。

数字为演示用的虚构数据，不代表任何真实统计结果。运行：python make_data.py
生成的 data/county_monthly.csv 一并入库，批量示例无需先运行本脚本。
"""

import csv
import random
from pathlib import Path

COUNTIES = ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市", "当阳市", "枝江市",
            "远安县", "兴山县", "秭归县", "长阳土家族自治县", "五峰土家族自治县"]
YEARS = (2023, 2024)
MONTHS = range(1, 13)
LAST = (2024, 6)  # data run up to June 2024
NOTE = "示例数据（虚构）"


def main() -> None:
    rnd = random.Random(20240630)
    rows = []
    for county in COUNTIES:
        scale = rnd.uniform(0.25, 1.6)  # county size
        hte0 = round(40 + 180 * scale)  # 高新技术企业 at the start of 2023
        tsme_year = 60 + 260 * scale  # 科技型中小企业入库数 per year
        deals_year = rnd.uniform(3, 40) * scale  # 技术合同成交额 per year, 亿元
        rd_year = rnd.uniform(4, 30) * scale  # 研发经费投入 per year, 亿元
        pat_year = rnd.uniform(300, 2200) * scale  # 专利授权量 per year
        inv_share = rnd.uniform(0.12, 0.3)
        design_share = rnd.uniform(0.05, 0.15)
        for year in YEARS:
            boost = 1.0 if year == 2023 else rnd.uniform(0.92, 1.35)
            hte = hte0 if year == 2023 else hte0 + round(rnd.uniform(5, 40) * scale)
            for month in MONTHS:
                if (year, month) > LAST:
                    break
                period = f"{year}-{month:02d}"
                share = month / 12
                noise = rnd.uniform(0.96, 1.04)
                hte_m = hte + round(month * rnd.uniform(0.5, 2.5) * scale)
                pats = pat_year * boost * share * noise
                values = [
                    ("高新技术企业数", hte_m, "家", "月末有效期内企业数；" + NOTE),
                    ("科技型中小企业入库数", round(tsme_year * boost * share * noise), "家", "1—N月累计；" + NOTE),
                    ("技术合同成交额", round(deals_year * boost * share * noise, 2), "亿元", "1—N月累计；" + NOTE),
                    ("研发经费投入", round(rd_year * boost * share * noise, 2), "亿元", "1—N月累计；" + NOTE),
                    ("发明专利授权量", round(pats * inv_share), "件", "1—N月累计；" + NOTE),
                    ("实用新型专利授权量", round(pats * (1 - inv_share - design_share)), "件", "1—N月累计；" + NOTE),
                    ("外观设计专利授权量", round(pats * design_share), "件", "1—N月累计；" + NOTE),
                ]
                for name, value, unit, note in values:
                    rows.append([name, county, period, value, unit, note])
    out = Path(__file__).with_name("data") / "county_monthly.csv"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["指标", "地区", "时期", "数值", "单位", "口径"])
        w.writerows(rows)
    print(f"已生成 {out}（{len(rows)} 行，{NOTE}）")


if __name__ == "__main__":
    main()
