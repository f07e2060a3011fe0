"""生成 templates/bangongshi/letterhead.docx：示例“办公室自己的 Word 信笺”。

真实使用时，把本单位已有的红头 .docx/.dotx 放到模板文件夹，在 template.yaml 里写
reference_docx: 文件名 即可；briefgen 保留其中的样式、红头、页眉页脚，只填写正文。
"""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

RED = RGBColor(0xE5, 0x00, 0x12)


def font(run, name, size, color=None):
    run.font.size = Pt(size)
    run.font.name = name
    rpr = run._r.get_or_add_rPr()
    rpr.rFonts.set(qn("w:eastAsia"), name)
    if color:
        run.font.color.rgb = color


def main() -> None:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = "Times New Roman"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    normal.paragraph_format.line_spacing = Pt(28.95)
    normal.paragraph_format.space_after = Pt(0)

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run("宜昌市人民政府办公室"), "楷体_GB2312", 16, RED)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = Pt(60)
    font(p.add_run("政 务 信 息"), "方正小标宋简体", 48, RED)

    foot = sec.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(foot.add_run("宜昌市人民政府办公室编    第 "), "宋体", 10.5)
    run = foot.add_run()
    for tag, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    font(foot.add_run(" 页"), "宋体", 10.5)

    out = Path(__file__).resolve().parents[2] / "templates" / "bangongshi" / "letterhead.docx"
    doc.core_properties.author = "宜昌市人民政府办公室"
    doc.save(str(out))
    print(f"已生成 {out}")


if __name__ == "__main__":
    main()
