"""briefgen 模板库（随 briefgen 一起安装为 briefgen_templates 数据包）。

每个子文件夹是一个模板：template.yaml（样式、报头、章节、指标的默认值，可用 extends 继承），
以及若干 Jinja2 叙述模板（.j2，可用 {% extends "base/overview.j2" %} 继承并覆盖 block）。
"""
