"""briefgen：从统计数据自动生成政务简报（DOCX + PDF）。"""

__version__ = "0.1.0"
