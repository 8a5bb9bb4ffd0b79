"""Portal creation and the deterministic demo data of portal ``demo``: three users, contacts
with phones, a catalog (goods, services in section «Услуги», a kit), funnel 0 with its default
stages and two deals with rows. Workflow stages are NOT seeded: the app provisions them."""

from typing import Any

from sandbox.calls import Call, Caller
from sandbox.crm_entities import create_entity
from sandbox.crm_store import CONTACT, DEAL
from sandbox.product_rows import replace_rows
from sandbox.stages import add_category
from sandbox.state import Portal, PortalConfig, Sandbox, User, new_portal

USERS = [
    User(
        2,
        "Анна",
        "Смирнова",
        "anna@example.com",
        position="Менеджер по продажам",
        fields={"UF_USR_B24B_EMPLOYEE_CODE": "000102"},
    ),
    User(3, "Борис", "Ли", "boris@example.com", position="Закупщик"),
]
SECTIONS = [(1, "Запчасти"), (2, "Услуги")]
# (id, name, price, type, section): TYPE 1 simple, 2 kit, 7 service (§11.2)
PRODUCTS = [
    (1, "Фара передняя левая", 12500.0, 1, 1),
    (2, "Бампер передний", 18900.0, 1, 1),
    (3, "Решётка радиатора", 7400.0, 1, 1),
    (4, "Комплект рестайлинга", 45000.0, 2, 1),
    (5, "Доставка", 3000.0, 7, 2),
    (6, "Инспекция", 1500.0, 7, 2),
    (7, "Страхование", 900.0, 7, 2),
    (8, "Хранение", 600.0, 7, 2),
]
CONTACTS = [
    ("Иван", "Петров", "+79990001122"),
    ("Мария", "Кузнецова", "+79990003344"),
]


def create_portal(
    sandbox: Sandbox, code: str, *, seed: bool, config: PortalConfig | None = None
) -> Portal:
    portal = new_portal(
        code, sandbox.settings, config or PortalConfig(random_seed=sandbox.settings.random_seed)
    )
    add_category(portal.crm, DEAL, name="Общая", sort=300, is_default=True)
    sandbox.portals[code] = portal
    if seed:
        seed_demo(sandbox, portal)
    return portal


def _catalog(portal: Portal) -> None:
    for section_id, name in SECTIONS:
        portal.crm.sections[section_id] = {
            "ID": section_id,
            "NAME": name,
            "SECTION_ID": None,
            "CATALOG_ID": 1,
        }
    for product_id, name, price, kind, section in PRODUCTS:
        portal.crm.products[product_id] = {
            "ID": product_id,
            "NAME": name,
            "PRICE": price,
            "CURRENCY_ID": "RUB",
            "SECTION_ID": section,
            "TYPE": kind,
            "MEASURE": 796,
            "ACTIVE": "Y",
            "CATALOG_ID": 1,
            "VAT_INCLUDED": "Y",
            "XML_ID": f"demo-product-{product_id}",
            "CODE": f"ART-{product_id:03d}",
        }


def seed_demo(sandbox: Sandbox, portal: Portal) -> None:
    for user in USERS:
        portal.users[user.id] = user
    _catalog(portal)
    call = Call(sandbox, portal, Caller(user_id=1, app_context=True, automation=True), {})
    contacts = [
        create_entity(
            call,
            CONTACT,
            {"NAME": name, "LAST_NAME": last, "PHONE": [{"VALUE": phone, "VALUE_TYPE": "WORK"}]},
        )
        for name, last, phone in CONTACTS
    ]
    deals: list[tuple[str, int, list[dict[str, Any]]]] = [
        (
            "Фары и бампер для Camry",
            0,
            [
                {"PRODUCT_ID": 1, "PRICE": 12500, "QUANTITY": 2},
                {"PRODUCT_ID": 2, "PRICE": 18900, "QUANTITY": 1},
                {"PRODUCT_ID": 5, "PRICE": 3000, "QUANTITY": 1},
            ],
        ),
        (
            "Комплект рестайлинга",
            1,
            [
                {
                    "PRODUCT_ID": 4,
                    "PRICE": 40500,
                    "QUANTITY": 1,
                    "DISCOUNT_TYPE_ID": 2,
                    "DISCOUNT_RATE": 10,
                }
            ],
        ),
    ]
    for title, contact_index, rows in deals:
        fields = {"TITLE": title, "CONTACT_ID": contacts[contact_index]["ID"], "ASSIGNED_BY_ID": 2}
        deal = create_entity(call, DEAL, fields)
        replace_rows(portal.crm, ("D", int(deal["ID"])), rows, sandbox.now())
