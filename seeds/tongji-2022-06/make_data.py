"""生成《统计月报》示例数据（虚构）：宜昌市及13个县市区2021—2022年1—6月累计主要指标。

数据为演示用的虚构数字，不代表任何真实统计结果。运行：python make_data.py（已生成的 CSV 一并入库）。
"""

import csv
import random
from pathlib import Path

COUNTIES = ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市", "当阳市", "枝江市",
            "远安县", "兴山县", "秭归县", "长阳土家族自治县", "五峰土家族自治县"]
MONTHS = [f"{m:02d}" for m in range(1, 7)]
NOTE = "示例数据（虚构）"


def main() -> None:
    rnd = random.Random(20220630)
    rows = []
    retail_city = {"2021": 0.0, "2022": 0.0}
    for county in COUNTIES:
        base_retail = rnd.uniform(8, 60)
        base_rev = rnd.uniform(1.5, 12)
        ind_growth = rnd.uniform(4, 16)
        inv_growth = rnd.uniform(-6, 22)
        for m, month in enumerate(MONTHS, start=1):
            for year, factor in (("2021", 1.0), ("2022", 1 + rnd.uniform(-0.03, 0.14))):
                retail = round(base_retail * m / 6 * factor, 2)
                rev = round(base_rev * m / 6 * factor * rnd.uniform(0.95, 1.05), 2)
                rows.append(["社会消费品零售总额", county, f"{year}-{month}", retail, "亿元", "1—N月累计；" + NOTE])
                rows.append(["一般公共预算收入", county, f"{year}-{month}", rev, "亿元", "1—N月累计；" + NOTE])
                if month == "06":
                    retail_city[year] += retail
            rows.append(["规模以上工业增加值增速", county, f"2022-{month}",
                         round(ind_growth + rnd.uniform(-1.5, 1.5), 1), "%", "1—N月累计，按可比价；" + NOTE])
            rows.append(["固定资产投资增速", county, f"2022-{month}",
                         round(inv_growth + rnd.uniform(-3, 3), 1), "%", "1—N月累计；" + NOTE])
    for m, month in enumerate(MONTHS, start=1):
        rows.append(["规模以上工业增加值增速", "宜昌市", f"2022-{month}", round(9.8 + m * 0.3, 1), "%", NOTE])
        rows.append(["固定资产投资增速", "宜昌市", f"2022-{month}", round(12.6 - m * 0.4, 1), "%", NOTE])
    out = Path(__file__).with_name("data") / "county_monthly.csv"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["指标", "地区", "时期", "数值", "单位", "口径"])
        w.writerows(rows)
    print(f"已生成 {out}（{len(rows)} 行）")


if __name__ == "__main__":
    main()
