"""Kits at the boundary (PRODUCT §3.10): a node that stores kits differently from the portal
gets its rows converted with the portal's kit definitions (``automations.kit_catalog``).

The portal keeps components: the deal sync expands every kit row of a deal (PRODUCT §3.6),
so «the portal keeps kit rows» does not occur. A node's ``kits`` setting says how the node
keeps them: ``as_kit`` — one row per kit: its kit rows are exploded on the way in and the
components assembled back into kit rows on the way out; ``as_components`` — like the
portal: a kit row it sends anyway is exploded at the node's money, its changes go out as
components; empty — nothing converted (a kit row is then expanded by the deal sync at the
definition's price, as one entered in the card). Pure functions, no I/O.

Money is exact to the kopeck both ways. Exploding a kit row spreads what the node charged
for it (price × quantity, rounded half-up to kopecks) over the components in proportion to
their list prices (``pricing.allocate_kopecks``, largest remainder); a component whose share
is not a whole number of kopecks per unit becomes two rows at unit prices one kopeck apart
that add up exactly. Assembling takes a kit whose every component is present in the kit's
proportions (same number of kits for all) and makes one kit row costing exactly what the
components did (two rows, one kopeck apart per unit, when the total does not divide).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from automations.pricing import KitDefinition
from automations.pricing.discount_distribution import allocate_kopecks
from automations.pricing.money import quantity_decimals, round_money

AS_KIT, AS_COMPONENTS = "as_kit", "as_components"
MODES = ("", AS_KIT, AS_COMPONENTS)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Line:
    product_id: int | None
    name: str
    price: Decimal
    quantity: Decimal

    @property
    def kopecks(self) -> int:
        return int(round_money(self.price * self.quantity) * HUNDRED)


def incoming(lines: Sequence[Line], kits: Mapping[int, KitDefinition], mode: str) -> list[Line]:
    """A node's rows as the portal keeps them."""
    return _convert(lines, kits, explode_rows, mode)


def outgoing(lines: Sequence[Line], kits: Mapping[int, KitDefinition], mode: str) -> list[Line]:
    """The portal's rows as the node keeps them."""
    return _convert(lines, kits, assemble_rows, mode if mode == AS_KIT else "")


Convert = Callable[[Sequence[Line], Mapping[int, KitDefinition]], list[Line]]


def _convert(
    lines: Sequence[Line], kits: Mapping[int, KitDefinition], convert: Convert, mode: str
) -> list[Line]:
    return convert(lines, kits) if mode in (AS_KIT, AS_COMPONENTS) and kits else list(lines)


def explode_rows(lines: Sequence[Line], kits: Mapping[int, KitDefinition]) -> list[Line]:
    out: list[Line] = []
    for line in lines:
        kit = kits.get(line.product_id) if line.product_id is not None else None
        out.extend(_explode(line, kit) if kit is not None else (line,))
    return out


def _explode(line: Line, kit: KitDefinition) -> list[Line]:
    quantities = [c.quantity * line.quantity for c in kit.components]
    weights = [
        Fraction(c.price_brutto * q) for c, q in zip(kit.components, quantities, strict=True)
    ]
    if not any(weights):
        weights = [Fraction(q) for q in quantities]
    target = line.kopecks
    shares = allocate_kopecks(weights, [target] * len(weights), target)
    out: list[Line] = []
    for component, quantity, share in zip(kit.components, quantities, shares, strict=True):
        piece = Line(component.product_id, component.name, Decimal(0), quantity)
        out.extend(priced(piece, share))
    return out


def priced(line: Line, kopecks: int) -> list[Line]:
    """``line`` costing exactly ``kopecks``: one row, or two one kopeck apart per unit."""
    decimals = quantity_decimals(line.quantity) or 0
    steps = int(line.quantity.scaleb(decimals))
    unit, dearer = divmod(kopecks * 10**decimals, steps)
    cheap = replace(line, price=Decimal(unit) / HUNDRED)
    if dearer == 0:
        return [cheap]
    return [
        replace(cheap, quantity=Decimal(steps - dearer).scaleb(-decimals)),
        replace(
            cheap, price=Decimal(unit + 1) / HUNDRED, quantity=Decimal(dearer).scaleb(-decimals)
        ),
    ]


def assemble_rows(lines: Sequence[Line], kits: Mapping[int, KitDefinition]) -> list[Line]:
    remaining = list(lines)
    for product_id in sorted(kits):
        remaining = _assemble(remaining, kits[product_id])
    return remaining


def _assemble(lines: list[Line], kit: KitDefinition) -> list[Line]:
    members = {c.product_id for c in kit.components}
    grouped: dict[int, list[Line]] = {}
    for line in lines:
        if line.product_id in members:
            grouped.setdefault(line.product_id, []).append(line)
    if set(grouped) != members:
        return lines
    counts = {sum((ln.quantity for ln in grouped[c.product_id]), Decimal(0)) / c.quantity
              for c in kit.components}  # fmt: skip
    if len(counts) != 1:
        return lines
    kits_count = counts.pop()
    total = sum(ln.kopecks for group in grouped.values() for ln in group)
    assembled = priced(Line(kit.product_id, kit_name(kit), Decimal(0), kits_count), total)
    first = next(i for i, ln in enumerate(lines) if ln.product_id in members)
    rest = [ln for ln in lines if ln.product_id not in members]
    at = sum(1 for ln in lines[:first] if ln.product_id not in members)
    return rest[:at] + assembled + rest[at:]


def kit_name(kit: KitDefinition) -> str:
    """Definitions carry no kit name: «Комплект: A + B», from its components."""
    return "Комплект: " + " + ".join(c.name for c in kit.components)
