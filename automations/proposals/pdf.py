"""The proposal's PDF, drawn with fpdf2 (pure Python) in Roboto (Cyrillic), 15 goods lines a
page, «Стр. N из M» at the foot of each. Photos stay in the HTML (the PDF fetches nothing)."""

from collections.abc import Sequence
from datetime import date
from importlib import resources

from fpdf import FPDF
from fpdf.fonts import FontFace

from automations.proposals import formats
from automations.proposals.content import GoodsLine, ProposalContent
from automations.proposals.html import Wording

LINES_PER_PAGE = 15
FONT = "Roboto"
GOODS_WIDTHS = (8, 110, 16, 28, 28)
GOODS_ALIGN = ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")
GOODS_HEAD = ("№", "Товар", "Кол-во", "Цена, ₽", "Сумма, ₽")
SERVICE_WIDTHS = (118, 16, 28, 28)
SERVICE_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT")
SERVICE_HEAD = ("Услуга", "Кол-во", "Цена, ₽", "Сумма, ₽")
HEADING = FontFace(emphasis="BOLD", fill_color=(238, 242, 244))


class ProposalPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, f"Стр. {self.page_no()} из {{nb}}", align="C")


def _font_path(name: str) -> str:
    return str(resources.files("font_roboto") / "files" / name)


def _document() -> ProposalPdf:
    pdf = ProposalPdf(format="A4")
    pdf.add_font(FONT, "", _font_path("Roboto-Regular.ttf"))
    pdf.add_font(FONT, "B", _font_path("Roboto-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=16)
    return pdf


def render_pdf(
    content: ProposalContent, *, version: int, valid_until: date, wording: Wording | None = None
) -> bytes:
    """``wording``: the template's greeting and closing (``html.render_wording``)."""
    wording = wording or Wording()
    pdf = _document()
    pdf.set_title(f"Коммерческое предложение № {content.deal_id}-{version}")
    pdf.add_page()
    _header(pdf, content, version)
    if wording.greeting:
        pdf.set_font(FONT, size=10)
        _para(pdf, 5, wording.greeting)
        pdf.ln(2)
    chunks = [
        content.lines[i : i + LINES_PER_PAGE] for i in range(0, len(content.lines), LINES_PER_PAGE)
    ]
    for index, chunk in enumerate(chunks):
        if index:
            pdf.add_page()
        _goods_table(pdf, chunk)
    _services(pdf, content)
    _totals(pdf, content)
    _closing(pdf, content, valid_until, wording.closing)
    return bytes(pdf.output())


def _para(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _header(pdf: FPDF, content: ProposalContent, version: int) -> None:
    pdf.set_font(FONT, "B", 13)
    _para(pdf, 6, content.company.name or "Коммерческое предложение")
    pdf.set_font(FONT, size=9)
    for line in content.company.requisites:
        _para(pdf, 4.5, line)
    pdf.ln(4)
    pdf.set_font(FONT, "B", 16)
    _para(pdf, 8, f"Коммерческое предложение № {content.deal_id}-{version}")
    pdf.set_font(FONT, size=10)
    meta = f"Сделка № {content.deal_id}"
    if content.deal_date:
        meta += f" от {formats.day(content.deal_date)}"
    if content.client_name:
        meta += f" · Клиент: {content.client_name}"
    _para(pdf, 5, meta)
    pdf.ln(3)


def _goods_text(line: GoodsLine) -> str:
    parts = [line.name]
    if line.replacement:
        parts.append(f"Замена: {line.replacement}")
    notes = [line.link] if line.link else []
    if line.rate is not None:
        price = formats.money(line.supplier_price)
        notes.append(f"{price} {line.currency} × {formats.rate(line.rate)} ₽")
    if notes:
        parts.append(" · ".join(notes))
    return "\n".join(parts)


def _goods_table(pdf: FPDF, lines: Sequence[GoodsLine]) -> None:
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=GOODS_WIDTHS, text_align=GOODS_ALIGN, headings_style=HEADING, line_height=4
    ) as table:
        table.row(GOODS_HEAD)
        for line in lines:
            table.row(
                (
                    str(line.number),
                    _goods_text(line),
                    formats.quantity(line.quantity),
                    formats.money(line.unit_price),
                    formats.money(line.total),
                )
            )


def _services(pdf: FPDF, content: ProposalContent) -> None:
    if not content.services:
        return
    pdf.ln(2)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, "Услуги", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=SERVICE_WIDTHS, text_align=SERVICE_ALIGN, headings_style=HEADING, line_height=4
    ) as table:
        table.row(SERVICE_HEAD)
        for service in content.services:
            table.row(
                (
                    service.name,
                    formats.quantity(service.quantity),
                    formats.money(service.unit_price),
                    formats.money(service.total),
                )
            )


def _totals(pdf: FPDF, content: ProposalContent) -> None:
    totals = content.totals
    rows = [("Товары", totals.goods)]
    if content.services:
        rows.append(("Услуги", totals.services))
    if totals.discount:
        rows.append(("Скидка", -totals.discount))
    pdf.ln(2)
    pdf.set_font(FONT, size=10)
    for label, amount in rows:
        pdf.cell(150, 6, label, align="R")
        pdf.cell(30, 6, f"{formats.money(amount)} ₽", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 12)
    pdf.cell(150, 8, "Итого", align="R")
    pdf.cell(30, 8, f"{formats.money(totals.total)} ₽", align="R", new_x="LMARGIN", new_y="NEXT")


def _closing(pdf: FPDF, content: ProposalContent, valid_until: date, closing: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, size=9)
    if content.rates:
        rates = ", ".join(f"1 {c} = {formats.rate(r)} ₽" for c, r in content.rates)
        _para(pdf, 5, f"Цены поставщиков пересчитаны в рубли по курсу: {rates}.")
    if closing:
        _para(pdf, 5, closing)
    _para(pdf, 5, f"Предложение действительно до {formats.day(valid_until)}.")
    manager = content.manager_name or "—"
    if content.manager_phone:
        manager += f", тел. {content.manager_phone}"
    _para(pdf, 5, f"Ваш менеджер: {manager}")
