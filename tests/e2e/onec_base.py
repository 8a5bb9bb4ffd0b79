"""A 1C base simulated exactly by the «Обмен с сайтом» protocol (COMMERCEML.md §2): it keeps
no cookie jar, sends ``Cookie:`` itself and appends ``sessid`` to every later URL."""

import base64
from dataclasses import dataclass, field

import httpx

from tests.e2e.exchange_steps import Node

URL = "/exchange/1c"


@dataclass
class OneCBase:
    http: httpx.AsyncClient
    node: Node
    cookie: str = ""
    sessid: str = ""
    log: list[str] = field(default_factory=list)
    kind: str = "sale"  # the exchange 1C runs: sale (orders) or catalog

    def _params(self, mode: str, **extra: str) -> dict[str, str]:
        params = {"type": self.kind, "mode": mode} | extra
        return params | ({"sessid": self.sessid} if self.sessid else {})

    def _headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie} if self.cookie else {}

    async def checkauth(self, password: str | None = None) -> list[str]:
        secret = password or self.node.credentials.secret
        token = base64.b64encode(f"{self.node.credentials.login}:{secret}".encode()).decode()
        response = await self.http.get(
            URL, params={"type": self.kind, "mode": "checkauth"},
            headers={"Authorization": f"Basic {token}"},
        )  # fmt: skip
        lines = response.content.decode("cp1251").split("\n")
        if lines[0] == "success":
            self.cookie = f"{lines[1]}={lines[2]}"
            self.sessid = lines[3].removeprefix("sessid=")
        return lines

    async def get(self, mode: str, **extra: str) -> httpx.Response:
        response = await self.http.get(
            URL, params=self._params(mode, **extra), headers=self._headers()
        )
        self.log.append(response.text.split("\n", 1)[0])
        return response

    async def upload(self, filename: str, body: bytes, parts: int = 2) -> list[str]:
        size = -(-len(body) // parts)
        answers = []
        for start in range(0, len(body), size):
            response = await self.http.post(
                URL, params=self._params("file", filename=filename),
                content=body[start : start + size], headers=self._headers(),
            )  # fmt: skip
            answers.append(response.content.decode("cp1251"))
        return answers

    async def exchange_orders(self, filename: str, body: bytes) -> str:
        """checkauth → init → file in two parts → import; the import's answer."""
        assert (await self.checkauth())[0] == "success"
        init = (await self.get("init", version="2.08")).content.decode("cp1251")
        assert init.startswith("zip=no\nfile_limit="), init
        assert all(a == "success\n" for a in await self.upload(filename, body))
        return await self.import_file(filename)

    async def import_file(self, filename: str) -> str:
        """``mode=import``, repeated while the answer is ``progress`` (as 1C does)."""
        for _ in range(100):
            answer = (await self.get("import", filename=filename)).content.decode("cp1251")
            if not answer.startswith("progress"):
                return answer
        raise AssertionError("import never finished")


def order_xml(
    guid: str, number: str, *, site_number: str, rows: list[tuple[str, str, str, str]],
    phone: str = "+79990001122", responsible: str = "",
) -> str:  # fmt: skip
    goods = "".join(
        f"<Товар><Ид>{code}</Ид><Наименование>{name}</Наименование>"
        f"<ЦенаЗаЕдиницу>{price}</ЦенаЗаЕдиницу><Количество>{qty}</Количество></Товар>"
        for code, name, price, qty in rows
    )
    requisites = [("Номер заказа на сайте", site_number), ("Номер бонусной карты", "BC-1")]
    if responsible:
        requisites.append(("Табельный номер ответственного", responsible))
    values = "".join(
        f"<ЗначениеРеквизита><Наименование>{n}</Наименование><Значение>{v}</Значение>"
        "</ЗначениеРеквизита>"
        for n, v in requisites
    )
    return (
        f"<Документ><Ид>{guid}</Ид><Номер>{number}</Номер><Дата>2026-12-01</Дата>"
        "<ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль><Валюта>руб</Валюта>"
        "<Курс>1</Курс><Контрагенты><Контрагент><Ид>c1</Ид><Наименование>Иван Петров</Наименование>"
        f"<Роль>Покупатель</Роль><Контакты><Контакт><Тип>Телефон рабочий</Тип><Значение>{phone}"
        f"</Значение></Контакт></Контакты></Контрагент></Контрагенты><Товары>{goods}</Товары>"
        f"<ЗначенияРеквизитов>{values}</ЗначенияРеквизитов></Документ>"
    )


def promo_xml(code: str, discount: str, valid_from: str = "", valid_to: str = "") -> str:
    """One code by our convention (README «Exchange gateway», ``webhooks/exchange/catalog``)."""
    dates = (f"<ДействуетС>{valid_from}</ДействуетС>" if valid_from else "") + (
        f"<ДействуетПо>{valid_to}</ДействуетПо>" if valid_to else ""
    )
    return f"<Промокод><Код>{code}</Код><Скидка>{discount}</Скидка>{dates}</Промокод>"


def catalog_file(promos: list[str], *, offers: bool = False) -> bytes:
    """An import.xml (a classifier and a catalog) or offers.xml carrying ``Промокоды``."""
    package = "ПакетПредложений" if offers else "Каталог"
    body = (
        "<Классификатор><Ид>cls-1</Ид><Наименование>Классификатор</Наименование></Классификатор>"
        f"<{package}><Ид>cat-1</Ид><Наименование>Основной</Наименование>"
        f"<Промокоды>{''.join(promos)}</Промокоды></{package}>"
    )
    return commerce_file([body], encoding="windows-1251")


def commerce_file(documents: list[str], encoding: str = "UTF-8") -> bytes:
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<КоммерческаяИнформация ВерсияСхемы="2.08" ДатаФормирования="2026-12-01T14:05:00">'
        + "".join(documents)
        + "</КоммерческаяИнформация>"
    )
    return text.encode("cp1251" if encoding == "windows-1251" else "utf-8")
