"""生成示例工作簿（虚构数据）：统计局报送的“宜昌市2022年1—9月县市区主要指标”，形式照实际报表：

* 工作表“县市区”：标题行（合并单元格）、两行表头（“2022年1—9月”合并在“本期 / 上年同期 / 增速（%）”之上），
  每个县市区占四行（县市区名纵向合并，三字名中间加空格对齐），有“单位”列、“备注”列，表尾有“注：”和“数据来源：”行；
  没有全市合计行——全市数由 briefgen 按地区树合计（比重按分子、分母的合计重新计算）。
* 工作表“全市月度”：月份向下、指标向右，单位写在表头括号里，中间有一个空列，表尾有注释行。

数据为演示用的虚构数字，不代表任何真实统计结果。运行：python make_data.py（生成的 .xlsx 一并入库）。
"""

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

COUNTIES = ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市", "当阳市", "枝江市",
            "远安县", "兴山县", "秭归县", "长阳土家族自治县", "五峰土家族自治县"]
OUT = Path(__file__).with_name("data") / "2022年1-9月县市区主要指标.xlsx"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def padded(name: str) -> str:
    """统计报表的习惯：三个字的地名中间加空格，与长地名对齐。"""
    return " ".join(name) if len(name) == 3 else name


def county_figures(rnd: random.Random) -> dict[str, dict[str, tuple[float, float]]]:
    """每个县市区：指标 → (2022年1—9月, 2021年1—9月)。"""
    out = {}
    for i, c in enumerate(COUNTIES):
        gdp_prev = round(rnd.uniform(90, 520), 2)
        gdp = round(gdp_prev * (1 + rnd.uniform(0.02, 0.11)), 2)
        share_prev = rnd.uniform(0.08, 0.30)
        hti_prev = round(gdp_prev * share_prev, 2)
        # 两个县市区高新技术产业增加值下降，其余增长：句子要按数据说“几个增长、几个下降”。
        g = rnd.uniform(-0.09, -0.02) if i in (3, 10) else rnd.uniform(0.03, 0.26)
        hti = round(hti_prev * (1 + g), 2)
        contract_prev = round(rnd.uniform(0.8, 9.0), 2)
        contract = round(contract_prev * (1 + rnd.uniform(-0.15, 0.45)), 2)
        out[c] = {"地区生产总值": (gdp, gdp_prev), "高新技术产业增加值": (hti, hti_prev),
                  "技术合同成交额": (contract, contract_prev)}
    return out


def growth(cur: float, prev: float) -> float:
    return round((cur / prev - 1) * 100, 1)


def county_sheet(wb: Workbook, figs: dict) -> None:
    ws = wb.active
    ws.title = "县市区"
    ws.append(["宜昌市2022年1—9月各县市区主要科技经济指标"])
    ws.merge_cells("A1:G1")
    ws.append(["（示例数据（虚构），仅用于演示，不代表真实统计结果）"])
    ws.merge_cells("A2:G2")
    ws.append(["县市区", "指标", "单位", "2022年1—9月", None, None, "备注"])
    ws.append([None, None, None, "本期", "上年同期", "增速（%）", None])
    for rng in ("A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:G4"):
        ws.merge_cells(rng)
    row = 5
    for c in COUNTIES:
        f = figs[c]
        share = round(f["高新技术产业增加值"][0] / f["地区生产总值"][0] * 100, 2)
        share_prev = round(f["高新技术产业增加值"][1] / f["地区生产总值"][1] * 100, 2)
        lines = [
            ["地区生产总值", "亿元", *f["地区生产总值"], growth(*f["地区生产总值"]), "现价"],
            ["高新技术产业增加值", "亿元", *f["高新技术产业增加值"], growth(*f["高新技术产业增加值"]), "现价"],
            ["技术合同成交额", "亿元", *f["技术合同成交额"], growth(*f["技术合同成交额"]), None],
            ["高新技术产业增加值占GDP比重", "%", share, share_prev, None, "增减见正文"],
        ]
        for k, line in enumerate(lines):
            ws.append([padded(c) if k == 0 else None, *line])
        ws.merge_cells(f"A{row}:A{row + 3}")
        row += 4
    ws.append(["注：1. 地区生产总值、高新技术产业增加值按现价计算，增速为名义增速。2. 本表为示例数据（虚构）。"])
    ws.merge_cells(f"A{row}:G{row}")
    ws.append(["数据来源：宜昌市统计局（示例）"])
    ws.merge_cells(f"A{row + 1}:G{row + 1}")
    _style(ws, header_rows=(3, 4), last=row + 1, widths=[18, 30, 8, 12, 12, 11, 12])


def monthly_sheet(wb: Workbook, figs: dict, rnd: random.Random) -> None:
    ws = wb.create_sheet("全市月度")
    ws.append(["2022年全市主要科技指标月度数据（当月数）（示例数据（虚构））"])
    ws.merge_cells("A1:F1")
    ws.append(["月份", "技术合同成交额（亿元）", "新增科技型中小企业（家）", None, "高新技术产品出口额（亿元）", "备注"])
    # 全市技术合同成交额1—9月当月数之和等于各县市区1—9月之和：两张表口径一致。
    total = round(sum(figs[c]["技术合同成交额"][0] for c in COUNTIES), 2)
    weights = [rnd.uniform(0.6, 1.4) * (1 + m / 12) for m in range(9)]
    months = [round(total * w / sum(weights), 2) for w in weights]
    months[-1] = round(total - sum(months[:-1]), 2)
    for m in range(9):
        note = "春节所在月" if m == 1 else None
        ws.append([f"{m + 1}月", months[m], rnd.randint(18, 65), None, round(rnd.uniform(3.5, 9.5), 2), note])
    ws.append(["注：当月数；1—9月累计数见“县市区”表。示例数据（虚构）。"])
    ws.merge_cells("A12:F12")
    _style(ws, header_rows=(2, 2), last=12, widths=[10, 16, 16, 4, 18, 12])


def _style(ws, header_rows: tuple[int, int], last: int, widths: list[int]) -> None:
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for r in range(header_rows[0], last + 1):
        for c in range(1, len(widths) + 1):
            cell = ws.cell(r, c)
            if r <= header_rows[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if r <= last - 2 or r <= header_rows[1]:
                cell.border = BOX
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = w


def main() -> None:
    rnd = random.Random(20221018)
    figs = county_figures(rnd)
    wb = Workbook()
    county_sheet(wb, figs)
    monthly_sheet(wb, figs, rnd)
    # Fixed document dates: running the script again gives the same workbook.
    wb.properties.created = wb.properties.modified = dt.datetime(2022, 10, 18, 9, 0, 0)
    wb.properties.creator = "briefgen 示例（虚构数据）"
    OUT.parent.mkdir(exist_ok=True)
    wb.save(OUT)
    print(f"已生成 {OUT}")


if __name__ == "__main__":
    main()
