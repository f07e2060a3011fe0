"""`briefgen templates` and `briefgen init`: list templates, scaffold a department's folder."""

from __future__ import annotations

import re
from pathlib import Path

from briefgen.errors import BriefgenError
from briefgen.templates import find_template, search_roots, section_ids

_CONFIG = """\
# {title}：由 `briefgen init --template {base}` 生成。改这里的期号、日期、数据和章节即可。
# 生成：briefgen build {folder}/briefing.yaml　　检查：briefgen validate {folder}/briefing.yaml
# 模板 {local}（templates/{local}/template.yaml）继承自 {base}，报头、配色、字体等在那里改。

name: {slug}
template: {local}
region: {region}{region_note}
period: 2023

meta:
  issue: 1
  organ: {organ}{organ_note}
  date: 2024-02-01
  title: "{{{{ period | period_cn }}}}工作情况"
  # distribution:                 # 版记：报、送、发和印数（不写则不印版记）
  #   报: [市委办公室, 市政府办公室]
  #   发: [各乡镇、各有关单位]
  #   印数: 20

data:
  - file: data/indicators.csv     # 换成本单位的数据；支持 CSV、XLSX、YAML/JSON、SQLite

metrics:                          # 键名: 数据中的指标名
  output: {{indicator: 主要产出指标, decimals: 1}}
  projects: 重点项目数
  satisfaction: {{indicator: 群众满意度, decimals: 1}}

sections:
  # 模板自带的章节可按 id 引用：{section_ids}
  - heading: 主要指标完成情况
    text: |
      {{# 增减、高低的措辞由过滤器按数据选择，见 README《措辞词表》 #}}
      全年主要产出指标{{{{ output | reach }}}}{{{{ output | change | lead }}}}；实施重点项目{{{{ projects }}}}，
      群众满意度{{{{ satisfaction | state }}}}。
    charts:
      - type: bar
        caption: 主要产出指标
        periods: [2022, 2023]
        series: [{{metric: output, name: 主要产出指标}}]
    tables:
      - caption: 主要指标
        rows: [output, projects, satisfaction]
"""

_TEMPLATE = """\
# 本单位模板：继承 {base}，只写需要改动的部分（其余沿用 {base}）。
title: {title}
description: {organ}的简报模板（继承 {base}）
extends: {base}
meta:
  masthead: {masthead}            # 报头文字
style:
  chart:
    palette: ["#1F4E79", "#C00000", "#5B9BD5", "#A5A5A5"]   # 图表配色
  # colors: {{red: "#E50012"}}       # 报头红色
  # font_names: {{body: 仿宋_GB2312}}  # DOCX 中的字体名
# fonts: {{body: fonts/本单位仿宋.ttf}}  # PDF 用的字体文件（相对本文件夹）
# reference_docx: letterhead.docx   # 本单位的 Word 信笺（红头、页脚），DOCX 以它为底
"""

_DATA = """\
指标,时期,数值,单位,口径
主要产出指标,2023,128.6,亿元,示例数据，请替换
主要产出指标,2022,117.2,亿元,示例数据，请替换
重点项目数,2023,36,个,示例数据，请替换
群众满意度,2023,96.4,%,示例数据，请替换
群众满意度,2022,95.1,%,示例数据，请替换
"""


# 远安县科学技术局 → 远安县; 宜昌市西陵区科技局 → 宜昌市西陵区.
_PLACE = re.compile(r"^(.+?(?:自治州|自治县|自治旗|新区|省|市|州|盟|县|区|旗))(?=[^省市州盟县区旗]*"
                    r"(?:局|委员会|委|办公室|办|厅|院|中心|站|所|部|处|会|政府))")
_UNIT = re.compile(r"[\u4e00-\u9fff].*(?:局|委员会|委|办公室|厅|院|中心|站|所|部|处|会)$")


def guess_region(*names: str | None) -> str | None:
    """The place a unit's name starts with (远安县科学技术局 → 远安县), from the first name that has one."""
    for n in names:
        m = _PLACE.match(n or "")
        if m:
            return m.group(1)
    return None


def scaffold(folder: Path, base: str, *, local: str | None = None, organ: str | None = None,
             region: str | None = None, extra: list[Path] | None = None) -> tuple[list[Path], list[str]]:
    """Write a new department folder that builds right away; refuses to overwrite. Returns the files
    written and the keys still to fill in (region and organ when neither the options nor the folder's
    name tell them: region is then the placeholder 本地区, organ empty; `validate` and `build` warn)."""

    tpl = find_template(base, search_roots(extra))
    local = local or f"{base}-local"
    if not re.fullmatch(r"[\w\-]+", local):
        raise BriefgenError(f"模板名称只能包含字母、数字、汉字、下划线和连字符：{local}")
    # A folder named after the unit (远安县科技局) names the organ when --organ is not given.
    organ = organ or (folder.name if _UNIT.match(folder.name) else None)
    region = region or guess_region(organ, folder.name)
    todo = [k for k, v in (("region", region), ("meta.organ", organ)) if not v]
    files = {
        folder / "briefing.yaml": _CONFIG.format(
            title=tpl.title, base=base, folder=folder.as_posix(), local=local, slug=folder.name or "briefing",
            region=region or "本地区", organ=organ or '""',
            region_note="" if region else "                # 请改成本地区名称，如 远安县",
            organ_note="" if organ else "                     # 请填写编发单位，如 远安县科学技术局",
            section_ids="、".join(dict.fromkeys(i for t in reversed(tpl.chain())
                                                for i in section_ids(t.data.get("sections")))) or "（无）"),
        folder / "templates" / local / "template.yaml": _TEMPLATE.format(
            base=base, title=f"{organ or folder.name}简报", organ=organ or folder.name,
            masthead=(tpl.data.get("meta") or {}).get("masthead") or "工作简报"),
        folder / "data" / "indicators.csv": _DATA,
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise BriefgenError(f"文件已存在，不会覆盖：{'、'.join(str(p) for p in existing)}")
    for p, text in files.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return list(files), todo
