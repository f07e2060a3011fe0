"""Statistical vocabulary: the words a table header keeps whole when it breaks, and the
short keys ``briefgen inspect`` suggests for common indicators.

Chinese has no spaces, so a header such as 规模以上工业增加值 may only break where one
word ends (规模以上 | 工业 | 增加值), never inside 增加值 or inside a unit (亿元).
:func:`segment` cuts a header by longest match against :data:`WORDS`; characters
it does not know stay together as one piece, so an unknown name never breaks at all.
"""

from __future__ import annotations

import re
import unicodedata

#: Words of statistical tables, longest match first (added to freely: more words, more break points).
WORDS = frozenset("""
规模以上 规上 限额以上 限上 工业 增加值 地区 生产总值 固定资产 投资 社会消费品 零售 总额 零售总额 一般公共预算
公共预算 预算 收入 支出 税收 税收收入 非税收入 高新技术 产业 企业 研发 研究与试验发展 经费 投入 强度 技术 合同 成交额
登记 占比 比重 同比 增长 增速 增幅 本期 上年 同期 上年同期 增减 增减量 百分点 位次 排名 数量 户数 人数 城镇 农村 居民
人均 可支配 进出口 出口 进口 外贸 实际 使用 外资 招商引资 到位 资金 全社会 用电量 发电量 货物 周转量 客运量 金融机构
存款 贷款 余额 本外币 人民币 新增 市场主体 科技型 中小企业 入库 入库数 专利 发明 发明专利 授权 授权量 拥有量 每万人
孵化器 众创空间 平台 数字经济 核心 营业 营业收入 利润 利润总额 产值 总产值 建筑业 房地产 开发 商品房 销售 面积 销售额
旅游 接待 人次 总收入 农林牧渔业 粮食 产量 消费 价格 指数 就业 失业率 项目 开工 竣工 在建 亿元以上 个数 企业数 单位数
成果 转化 交易 额 完成 目标 全年 累计 当月 本月 比上年 其中 合计 总计 全市 县市区 新兴 战略性 制造业 服务业 第一产业
第二产业 第三产业 一产 二产 三产 民间 基础设施 技改 工业投资 电子商务 网络 零售额 住户 常住 人口 户籍 财政 总量 技术合同
高企 数字 经济 规模 以上 生产 总值 增加 支出额 收入额 新登记 注册 资本 有效 国家级 省级 市级 创新 研发费用 加计扣除
""".split())

_LONGEST = max(len(w) for w in WORDS)
_UNIT = re.compile(r"[（(][^（）()]{1,12}[）)]")
# A year, a month span or a quarter is one piece: "2022年" | "1—9月" never breaks inside.
_PERIOD = re.compile(r"\d{4}年|\d{1,2}(?:[—–\-~至]\d{1,2})?月(?:末|份)?|第?[一二三四]季度|[上下]半年")
_LATIN = re.compile(r"[A-Za-z0-9&.+\-/%\u2212]+")

#: Short keys for common indicators (what inspect writes under metrics:).
KEYS: dict[str, str] = {
    "地区生产总值": "gdp", "生产总值": "gdp", "GDP": "gdp",
    "规模以上工业增加值": "industry", "规上工业增加值": "industry",
    "固定资产投资": "investment", "社会消费品零售总额": "retail",
    "一般公共预算收入": "revenue", "税收收入": "tax", "一般公共预算支出": "spending",
    "高新技术产业增加值": "hti", "高新技术企业数": "hte", "高新技术企业": "hte",
    "研发经费投入": "rd", "研究与试验发展经费": "rd", "研发投入强度": "rd_intensity",
    "技术合同成交额": "tech_contract", "技术合同登记成交额": "tech_contract",
    "科技型中小企业入库数": "tsme", "发明专利授权量": "patents", "进出口总额": "trade", "出口总额": "export",
    "全社会用电量": "power", "工业用电量": "industry_power", "城镇居民人均可支配收入": "urban_income",
    "农村居民人均可支配收入": "rural_income", "居民人均可支配收入": "income", "实际使用外资": "fdi",
    "新增市场主体": "new_entities", "规模以上工业企业数": "industry_firms",
    "高新技术产业增加值占GDP比重": "hti_share", "高新技术产业增加值占地区生产总值比重": "hti_share",
}


def em(text: str) -> float:
    """Width of `text` in em of its font size: a Chinese character or full-width mark is 1,
    a digit or Latin letter about 0.55."""
    w = 0.0
    for ch in text:
        if ch in "\n":
            continue
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            w += 1.0
        elif ch in ".,:;!'|":
            w += 0.3
        else:
            w += 0.56
    return w


def segment(text: str) -> list[str]:
    """Cut a header into pieces a line may break between: known words, a unit in parentheses,
    a Latin/number run; unknown characters stay together. Spaces the author wrote are breaks
    (and are dropped)."""
    if " " in text.strip():
        out: list[str] = []
        for part in text.split():
            m = _UNIT.search(part)
            if m and m.end() == len(part) and m.start() > 0:
                out += [part[: m.start()], m.group()]
            else:
                out.append(part)
        return out
    pieces: list[str] = []
    unknown = ""
    i = 0
    while i < len(text):
        m = _UNIT.match(text, i) or _PERIOD.match(text, i)
        if m:
            if unknown:
                pieces.append(unknown)
                unknown = ""
            pieces.append(m.group())
            i = m.end()
            continue
        m = _LATIN.match(text, i)
        if m:
            if unknown:
                pieces.append(unknown)
                unknown = ""
            pieces.append(m.group())
            i = m.end()
            continue
        for n in range(min(_LONGEST, len(text) - i), 1, -1):
            if text[i:i + n] in WORDS:
                if unknown:
                    pieces.append(unknown)
                    unknown = ""
                pieces.append(text[i:i + n])
                i += n
                break
        else:
            unknown += text[i]
            i += 1
    if unknown:
        pieces.append(unknown)
    # A closing mark never starts a piece, an opening mark never ends one.
    merged: list[str] = []
    for p in pieces:
        if merged and p[0] in "）)、，。：；%":
            merged[-1] += p
        elif merged and merged[-1][-1] in "（(“":
            merged[-1] += p
        else:
            merged.append(p)
    return merged


def pieces(text: str, loose: bool = False) -> list[str]:
    """:func:`segment`; `loose` also cuts the words made of Chinese characters only into single
    characters (a unit in parentheses, a period and a Latin/number run stay whole)."""
    out = segment(text)
    if not loose:
        return out
    cut: list[str] = []
    for piece in out:
        if all(unicodedata.category(ch) == "Lo" for ch in piece):
            cut += list(piece)
        else:
            cut.append(piece)
    return cut


def break_lines(text: str, width: float, loose: bool = False) -> list[str]:
    """`text` in lines of at most `width` em, breaking only between :func:`pieces`
    (a piece wider than `width` gets a line of its own)."""
    lines: list[str] = []
    cur = ""
    for piece in pieces(text, loose):
        if cur and em(cur + piece) > width + 1e-9:
            lines.append(cur)
            cur = piece
        else:
            cur += piece
    if cur:
        lines.append(cur)
    return lines


def suggest_key(name: str, taken: set[str]) -> str:
    """A short ASCII key for an indicator name (gdp, retail …), or m1, m2 … when none is known."""
    base = KEYS.get(name) or KEYS.get(re.sub(r"[（(].*?[）)]", "", name))
    if base is None:
        for word, key in sorted(KEYS.items(), key=lambda kv: -len(kv[0])):
            if name.startswith(word) or name.endswith(word):
                base = key
                break
    if base is None:
        n = 1
        while f"m{n}" in taken:
            n += 1
        return f"m{n}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}{n}", n + 1
    return key
