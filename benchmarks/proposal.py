"""Proposal (КП) cost: time to build the HTML and the PDF for 10 and 100 found lines, and the
REST requests one proposal costs end to end (sandbox portal over HTTP; at most 3 whatever its
size: one batch read of the deal, one batch write of the timeline comment and the deal field).

    PYTHONPATH=. .venv/bin/python benchmarks/proposal.py [--sizes 10,100] [--runs 5]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from app.core.migrations import upgrade
from automations.proposals.content import Company, GoodsLine, ProposalContent, ServiceLine, Totals
from automations.proposals.html import render_html
from automations.proposals.making import Made, make_proposal
from automations.proposals.pdf import render_pdf
from tests.e2e.harness import live_stack
from tests.e2e.procurement_steps import Journey
from tests.e2e.proposal_steps import configure, portal

VALID = date(2030, 1, 15)


def sample(lines: int) -> ProposalContent:
    goods = tuple(
        GoodsLine(
            number=n,
            name=f"Фара передняя левая, артикул {n}",
            quantity=Decimal(2),
            unit_price=Decimal("3865.73"),
            total=Decimal("7731.46"),
            link="https://bridge.example.com/s/AbCdEfGh12",
            photo_url="https://img.example.cn/1.jpg",
            supplier_price=Decimal("310.50"),
            currency="CNY",
            rate=Decimal("12.45"),
        )
        for n in range(1, lines + 1)
    )
    total = Decimal("7731.46") * lines
    return ProposalContent(
        template="new", deal_id=1, deal_title="Фары", deal_date="2030-01-05",
        client_name="Петров Иван", previous_orders=0,
        company=Company("ООО «Мост»", ("ИНН 7701234567",), ""),
        lines=goods, services=(ServiceLine("Доставка", Decimal(1), Decimal(3000), Decimal(3000)),),
        rates=(("CNY", Decimal("12.45")),),
        totals=Totals(total, Decimal(3000), Decimal(0), total + 3000),
        manager_name="Смирнова Анна", manager_phone="+7 495 000-00-00",
    )  # fmt: skip


def time_rendering(lines: int, runs: int) -> tuple[float, float, int]:
    content = sample(lines)
    html_times, pdf_times, pdf = [], [], b""
    for _ in range(runs):
        start = time.perf_counter()
        render_html(content, version=1, valid_until=VALID, pdf_url="/p/x/pdf", overrides={})
        html_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        pdf = render_pdf(content, version=1, valid_until=VALID)
        pdf_times.append(time.perf_counter() - start)
    return statistics.median(html_times), statistics.median(pdf_times), len(pdf)


async def rest_requests(lines: int, folder: Path) -> tuple[int, float, int]:
    url = f"sqlite+aiosqlite:///{folder / f'bench-{lines}.db'}"
    await upgrade(url)
    async with live_stack(url) as stack:
        journey = await Journey.start(stack)
        await configure(journey)
        rows = [
            {"PRODUCT_ID": 1, "PRODUCT_NAME": f"Деталь {n}", "PRICE": 1000 + n, "QUANTITY": 1}
            for n in range(lines)
        ] + [{"PRODUCT_ID": 5, "PRODUCT_NAME": "Доставка", "PRICE": 3000, "QUANTITY": 1}]
        await journey.create_deal(rows)
        await journey.move_deal("SEARCH")
        _html, config = await journey.open_tab("card")
        for n, line in enumerate(config["lines"]):
            entry = {"status": "found", "unit_price": "310.50", "currency": "CNY"}
            entry["supplier_url"] = f"https://detail.1688.com/offer/{n}.html"
            await journey.enter(config, line["id"], entry)
        await stack.settle()
        await stack.control.delete("/_sandbox/portals/demo/requests")
        today = datetime.now(UTC).date()
        start = time.perf_counter()
        made = await make_proposal(
            stack.deps, await portal(journey), journey.deal_id, "new", today=today
        )
        elapsed = time.perf_counter() - start
        assert isinstance(made, Made), made
        requests = (await stack.ctl("GET", "/requests"))["requests"]
        return len(requests), elapsed, len(config["lines"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print("lines  html_ms  pdf_ms  pdf_kB  rest_requests  end_to_end_ms")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            html_s, pdf_s, pdf_bytes = time_rendering(size, args.runs)
            requests, elapsed, found = asyncio.run(rest_requests(size, Path(folder)))
            assert found == size, (found, size)
            print(
                f"{size:5d}  {html_s * 1000:7.1f}  {pdf_s * 1000:6.1f}  {pdf_bytes / 1024:6.1f}"
                f"  {requests:13d}  {elapsed * 1000:13.1f}"
            )
            assert requests <= 3, f"{requests} REST requests for {size} lines"


if __name__ == "__main__":
    main()
