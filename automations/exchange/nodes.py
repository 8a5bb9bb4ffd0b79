"""Exchange nodes: add (credentials returned once), list, disable, rotate, authenticate."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import ExchangeNode
from automations.exchange import credentials

KINDS = ("1c", "rpc")
DIRECTIONS = ("in", "out", "both")
DEDUPE_RULES = ("site_or_number", "number_date", "external_id")
KIT_MODES = ("", "as_kit", "as_components")  # see ``kit_rows``; "" = stored as the portal


class NodeError(ValueError):
    """A node setting that cannot be accepted; the message says which and why (ru / en)."""


@dataclass(frozen=True)
class NodeSpec:
    member_id: str
    name: str
    kind: str
    direction: str
    deal_category_id: int | None = None
    company_id: int | None = None
    default_user_id: int | None = None
    cutoff: date | None = None
    allow_create_products: bool = False
    dedupe_rule: str = "site_or_number"
    property_map: dict[str, str] = field(default_factory=dict)
    push_url: str = ""
    sms_templates: dict[str, str] = field(default_factory=dict)
    kits: str = ""


@dataclass(frozen=True)
class Credentials:
    node_id: int
    login: str
    secret: str

    @property
    def bearer(self) -> str:
        return f"{self.login}.{self.secret}"


def _check(spec: NodeSpec) -> None:
    if not spec.name.strip():
        raise NodeError("Поле «name» пусто: задайте имя узла. / The node needs a name.")
    if spec.kind not in KINDS:
        raise NodeError(f"Поле «kind» должно быть одним из {KINDS}. / kind must be one of {KINDS}.")
    if spec.direction not in DIRECTIONS:
        raise NodeError(
            f"Поле «direction» должно быть одним из {DIRECTIONS}. / "
            f"direction must be one of {DIRECTIONS}."
        )
    if spec.push_url and not spec.push_url.startswith(("https://", "http://")):
        raise NodeError(
            "Поле «push_url» должно начинаться с https:// (или http://). / "
            "push_url must be an http(s) URL."
        )
    bad = [f for f in spec.property_map.values() if not f.startswith("UF_CRM_")]
    if bad:
        raise NodeError(
            f"Поле сделки {bad[0]!r} в карте свойств должно начинаться с UF_CRM_. / "
            "Mapped deal fields must be user fields (UF_CRM_…)."
        )
    _check_kits(spec.kits)
    if spec.dedupe_rule not in DEDUPE_RULES:
        raise NodeError(
            f"Поле «dedupe_rule» должно быть одним из {DEDUPE_RULES}. / "
            f"dedupe_rule must be one of {DEDUPE_RULES}."
        )


def _check_kits(kits: str) -> None:
    if kits not in KIT_MODES:
        raise NodeError(
            "Поле «kits» должно быть as_kit (узел хранит комплект одной строкой), "
            "as_components (узел хранит состав) или пустым (как портал). / "
            f"kits must be one of {KIT_MODES}."
        )


async def set_kits(session: AsyncSession, node_id: int, kits: str) -> ExchangeNode:
    """How the node stores kits; its next documents and changes are converted accordingly."""
    _check_kits(kits)
    node = await get_node(session, node_id)
    node.kits = kits
    return node


async def add_node(session: AsyncSession, spec: NodeSpec) -> Credentials:
    _check(spec)
    taken = await session.scalar(
        select(ExchangeNode.id).where(
            ExchangeNode.member_id == spec.member_id, ExchangeNode.name == spec.name
        )
    )
    if taken is not None:
        raise NodeError(
            f"Узел «{spec.name}» уже есть: выберите другое имя. / Node {spec.name!r} exists."
        )
    login, secret = credentials.new_login(), credentials.new_secret()
    node = ExchangeNode(**spec.__dict__, login=login, secret_hash=credentials.hash_secret(secret))
    session.add(node)
    await session.flush()
    assert node.id is not None
    return Credentials(node.id, login, secret)


async def list_nodes(session: AsyncSession, member_id: str | None = None) -> list[ExchangeNode]:
    query = select(ExchangeNode).order_by(ExchangeNode.id)
    if member_id is not None:
        query = query.where(ExchangeNode.member_id == member_id)
    return list(await session.scalars(query))


async def get_node(session: AsyncSession, node_id: int) -> ExchangeNode:
    node = await session.get(ExchangeNode, node_id)
    if node is None:
        raise NodeError(f"Узел {node_id} не найден. / Node {node_id} not found.")
    return node


async def disable_node(session: AsyncSession, node_id: int) -> ExchangeNode:
    node = await get_node(session, node_id)
    node.enabled = False
    return node


async def rotate_secret(session: AsyncSession, node_id: int) -> Credentials:
    """A new secret (the login stays, so 1C keeps its user name); the old one stops at once."""
    node = await get_node(session, node_id)
    secret = credentials.new_secret()
    node.secret_hash = credentials.hash_secret(secret)
    assert node.id is not None
    return Credentials(node.id, node.login, secret)


async def authenticate(session: AsyncSession, login: str, secret: str) -> ExchangeNode | None:
    """The enabled node these credentials prove, or None (unknown login, wrong secret).

    scrypt costs ~40 ms, so a proof is remembered per process by a digest of the pair and
    the stored hash it matched: a rotated secret or a disabled node fails at once."""
    node: ExchangeNode | None = await session.scalar(
        select(ExchangeNode).where(ExchangeNode.login == login)
    )
    if node is None:
        credentials.verify_secret(secret, _DUMMY_HASH)  # same cost for an unknown login
        return None
    if not node.enabled:
        return None
    proof = hashlib.sha256(f"{login}\0{secret}".encode()).hexdigest()
    if _PROVEN.get(proof) == node.secret_hash:
        return node
    if not credentials.verify_secret(secret, node.secret_hash):
        return None
    if len(_PROVEN) >= _PROVEN_MAX:
        _PROVEN.clear()
    _PROVEN[proof] = node.secret_hash
    return node


_PROVEN: dict[str, str] = {}
_PROVEN_MAX = 4096


_DUMMY_HASH = credentials.hash_secret("dummy")


async def subscribers(session: AsyncSession, member_id: str) -> list[ExchangeNode]:
    """Enabled nodes that receive deal changes (direction out or both)."""
    rows = await session.scalars(
        select(ExchangeNode).where(
            ExchangeNode.member_id == member_id,
            ExchangeNode.enabled.is_(True),
            ExchangeNode.direction.in_(("out", "both")),
        )
    )
    return list(rows)
