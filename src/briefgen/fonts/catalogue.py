"""The font catalogue: roles, the official GB/T 9704 faces and the candidates for each role.

This is the one table of official font names: the DOCX names them
(:class:`briefgen.layout.FontNames`), the PDF looks for them first.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("title", "body", "heading1", "heading2", "song")
ALIASES: dict[str, str] = {"kai": "heading2", "hei": "heading1"}
ROLE_LABELS: dict[str, str] = {
    "title": "标题（小标宋）",
    "body": "正文（仿宋）",
    "heading1": "一级标题（黑体）",
    "heading2": "二级标题（楷体）",
    "song": "页码与表格（宋体）",
}

REASON_OVERRIDE = "模板指定"
REASON_SUBSTITUTE = "系统已安装的开源替代字体"
REASON_BUNDLED = "未找到官方字体，使用随 briefgen 附带的开源字体"
REASON_BUNDLED_FALLBACK = "随 briefgen 附带的开源字体，补前面字体缺少的字符"

# Latin letters and digits in 公文 are conventionally set in Times New Roman (most
# provincial 公文格式 rules say so and Word's Chinese templates pair 仿宋 with it); it
# ships with Windows/macOS/Office and Liberation Serif is metric-compatible on Linux.
ASCII_FONT = "Times New Roman"
OFFICIAL_EAST_ASIA = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "song": "宋体",
}

# The open faces shipped in fonts/files/ (licences and provenance in PROVENANCE.md there):
# file → (licence file, what it is).  One per role; "song" (page numbers) has no face of
# its own and uses the body face, whose digits and dashes suit a page number.
BUNDLED_FILES: dict[str, tuple[str, str]] = {
    "ZhuqueFangsong-Regular.ttf": ("ZhuqueFangsong-OFL.txt", "朱雀仿宋（原样，SIL OFL 1.1）"),
    "BriefgenHei-Medium.ttf": ("BriefgenHei-OFL.txt", "思源黑体 / Noto Sans CJK SC Medium 的子集（SIL OFL 1.1）"),
    "BriefgenSong-Black.ttf": ("BriefgenSong-OFL.txt", "思源宋体 / Noto Serif CJK SC Black 的子集（SIL OFL 1.1）"),
    "BriefgenKai-Regular.ttf": ("BriefgenKai-OFL.txt", "霞鹜文楷 / LXGW WenKai 的子集（SIL OFL 1.1）"),
}
# Roles whose bundled face is of another style than the role names, and why (``briefgen fonts``
# shows it, so that "宋体" served by a 仿宋 face does not look like a mistake).
BUNDLED_STAND_IN: dict[str, str] = {
    "song": "briefgen 没有附带常规字重的开源宋体（附带的思源宋体子集是标题用的粗体），页码与表格改用仿宋；"
            "安装宋体（SimSun）或在模板 fonts: 中指定后即用宋体",
}
# Per role: the bundled faces in order.  The first sets the role; the others only fill in
# characters it lacks (Zhuque has no ℃ ① ２ ＋ Ⅰ ★ …), nearest in weight and style first:
# 楷 is the closest regular-weight companion of 仿宋, Hei of the heavy title Song.
BUNDLED_ORDER: dict[str, tuple[str, ...]] = {
    "title": ("BriefgenSong-Black.ttf", "BriefgenHei-Medium.ttf", "BriefgenKai-Regular.ttf",
              "ZhuqueFangsong-Regular.ttf"),
    "body": ("ZhuqueFangsong-Regular.ttf", "BriefgenKai-Regular.ttf", "BriefgenHei-Medium.ttf",
             "BriefgenSong-Black.ttf"),
    "heading1": ("BriefgenHei-Medium.ttf", "BriefgenSong-Black.ttf", "BriefgenKai-Regular.ttf",
                 "ZhuqueFangsong-Regular.ttf"),
    "heading2": ("BriefgenKai-Regular.ttf", "ZhuqueFangsong-Regular.ttf", "BriefgenHei-Medium.ttf",
                 "BriefgenSong-Black.ttf"),
    "song": ("ZhuqueFangsong-Regular.ttf", "BriefgenKai-Regular.ttf", "BriefgenHei-Medium.ttf",
             "BriefgenSong-Black.ttf"),
}

FONT_EXTS = frozenset({".ttf", ".ttc", ".otf", ".otc"})


# Candidate tables.  A name is a family / full / PostScript name, a file name (it has a
# font extension), or a "prefix*" pattern; "@900,700" lists acceptable weights in order
# of preference (OS/2 scale, +-50).  Kinds: "official" fonts named by GB/T 9704,
# "similar" proprietary look-alikes bundled with an OS or Office, "open" substitutes.
Group = tuple[str, str, tuple[str, ...]]
CANDIDATES: dict[str, list[Group]] = {
    "title": [
        ("official", "方正小标宋简体", (
            "方正小标宋简体", "FZXiaoBiaoSong-B05S", "FZXBSJW.TTF", "方正小标宋简体.ttf",
            "方正小标宋_GBK", "FZXiaoBiaoSong-B05", "FZXBSK.TTF", "方正小标宋_GBK.ttf",
        )),
        ("similar", "华文中宋", ("华文中宋", "STZhongsong", "STZHONGS.TTF")),
        ("similar", "宋体-简", ("Songti SC@900,700", "Songti SC Black")),
        ("open", "", (
            "Noto Serif CJK SC@900,700,600", "Source Han Serif SC@900,700,600",
            "Source Han Serif CN@900,700,600", "思源宋体@900,700,600",
            "Noto Serif SC@900,700,600", "AR PL UMing CN",
        )),
    ],
    "body": [
        ("official", "仿宋_GB2312", (
            "仿宋_GB2312", "FangSong_GB2312", "仿宋_GB2312.ttf", "FS_GB2312.ttf", "FSGB2312.ttf",
        )),
        ("official", "仿宋", ("仿宋", "FangSong", "simfang.ttf")),
        ("official", "方正仿宋_GBK", ("方正仿宋_GBK", "FZFangSong-Z02", "FZFSK.TTF")),
        ("similar", "华文仿宋", ("华文仿宋", "STFangsong", "STFANGSO.TTF")),
        ("open", "", (
            "Zhuque Fangsong*", "朱雀仿宋*",
            "Noto Serif CJK SC@400,500,300", "Source Han Serif SC@400,500,300",
            "Source Han Serif CN@400,500,300", "思源宋体@400,500,300", "Noto Serif SC@400,500",
            "AR PL UMing CN", "LXGW WenKai@400,300,500", "LXGW WenKai GB@400,300,500", "霞鹜文楷",
        )),
    ],
    "heading1": [
        ("official", "黑体", ("黑体", "SimHei", "simhei.ttf")),
        ("official", "方正黑体_GBK", ("方正黑体_GBK", "FZHei-B01", "FZHTK.TTF")),
        ("similar", "华文黑体", ("华文黑体", "STHeiti", "Heiti SC@500,400,300", "STHEITI.TTF")),
        ("similar", "苹方", ("PingFang SC@600,500",)),
        ("similar", "微软雅黑", ("微软雅黑", "Microsoft YaHei@700,400", "msyhbd.ttc", "msyh.ttc")),
        ("open", "", (
            "Noto Sans CJK SC@700,500", "Source Han Sans SC@700,500",
            "Source Han Sans CN@700,500", "思源黑体@700,500", "Noto Sans SC@700,500",
            "WenQuanYi Micro Hei",
        )),
    ],
    "heading2": [
        ("official", "楷体_GB2312", ("楷体_GB2312", "KaiTi_GB2312", "楷体_GB2312.ttf", "KAITI_GB2312.ttf")),
        ("official", "楷体", ("楷体", "KaiTi", "simkai.ttf")),
        ("official", "方正楷体_GBK", ("方正楷体_GBK", "FZKai-Z03", "FZKTK.TTF")),
        ("similar", "华文楷体", ("华文楷体", "STKaiti", "STKAITI.TTF", "Kaiti SC@400,500,700")),
        ("open", "", (
            "AR PL UKai CN", "LXGW WenKai@400,300,500", "LXGW WenKai GB@400,300,500", "霞鹜文楷",
        )),
    ],
    "song": [
        ("official", "宋体", ("宋体", "SimSun", "simsun.ttc")),
        ("official", "方正书宋_GBK", ("方正书宋_GBK", "FZShuSong-Z01", "FZSSK.TTF")),
        ("similar", "华文宋体", ("华文宋体", "STSong", "STSONG.TTF", "Songti SC@400,300,500")),
        ("open", "", (
            "Noto Serif CJK SC@400,500,300", "Source Han Serif SC@400,500,300",
            "Source Han Serif CN@400,500,300", "思源宋体@400,500,300", "AR PL UMing CN",
        )),
    ],
}
# A serif role falling back to a serif face reads better than jumping to the Hei default.
TAILS: dict[str, tuple[str, ...]] = {
    "title": ("song", "body"),
    "body": ("song",),
    "heading1": (),
    "heading2": ("body", "song"),
    "song": ("body",),
}
