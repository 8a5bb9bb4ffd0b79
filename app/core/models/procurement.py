"""The link table the app owns: sales deal ↔ procurement card ↔ one line per goods row."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models.base import timestamp_field

MONEY = Numeric(18, 2)
QUANTITY = Numeric(18, 4)


class ProcurementLink(SQLModel, table=True):
    __tablename__ = "procurement_links"
    __table_args__ = (UniqueConstraint("member_id", "deal_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    deal_id: int
    card_id: int | None = Field(default=None, index=True)
    card_op_uuid: str = Field(default="", max_length=36)
    buyer_id: int | None = None
    sales_manager_id: int | None = None
    deal_stage: str = Field(default="", max_length=32)
    card_stage: str = Field(default="", max_length=32)
    eta: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    epoch: int = 0
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ProcurementLine(SQLModel, table=True):
    __tablename__ = "procurement_lines"

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    link_id: int = Field(foreign_key="procurement_links.id", index=True)
    row_id: int | None = None
    product_id: int | None = None
    position: int = 0
    name: str = Field(default="", max_length=255)
    quantity: Decimal = Field(default=Decimal(1), sa_column=Column(QUANTITY, nullable=False))
    status: str = Field(default="pending", max_length=24)
    prior_status: str = Field(default="", max_length=24)
    supplier: str = Field(default="", max_length=255)
    supplier_url: str = Field(default="", max_length=1024)
    unit_price: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    currency: str = Field(default="", max_length=8)
    moq: int | None = None
    lead_time_days: int | None = None
    photo_url: str = Field(default="", max_length=1024)
    comment: str = Field(default="", max_length=2000)
    replacement_note: str = Field(default="", max_length=1000)
    updated_by: int | None = None
    updated_at: datetime = timestamp_field()
