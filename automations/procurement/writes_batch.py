"""Perform a plan's portal effects: SMS first (through the SMS connector), then every
REST write — including the SMS timeline entries — as one batch request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from automations.procurement import portal_writes as build
from automations.procurement.effects import (
    CreateCard,
    CreateTask,
    Effect,
    MoveCard,
    MoveDeal,
    Notify,
    SendSms,
    SetCardRows,
)
from automations.procurement.messages import render
from connectors.bitrix24 import Call
from connectors.crm.gateway import CrmGateway
from connectors.sms import SmsError, SmsSender


@dataclass
class WriteResult:
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    card_id: int | None = None

    def describe_failures(self) -> str:
        return "; ".join(f"{key}: {self.errors.get(key, '')}" for key in self.failed)


class WriteBatch:
    def __init__(self, ctx: build.PortalContext, deal_id: int, sms: SmsSender) -> None:
        self.ctx = ctx
        self.deal_id = deal_id
        self.sms = sms
        self.commands: dict[str, Call] = {}
        self.owners: dict[str, str] = {}  # command name -> effect key
        self.sms_keys: set[str] = set()
        self.result = WriteResult()

    async def run(self, gateway: CrmGateway, todo: list[Effect]) -> WriteResult:
        for index, effect in enumerate(todo):
            await self._add(index, effect)
        outcomes = await gateway.write(self.commands)
        self._collect(outcomes)
        return self.result

    def _command(self, name: str, call: Call, effect: Effect) -> None:
        self.commands[name] = call
        self.owners[name] = effect.key

    async def _add(self, index: int, effect: Effect) -> None:
        if isinstance(effect, CreateCard):
            for name, call in build.create_card(effect, self.ctx):
                self._command(name, call, effect)
        elif isinstance(effect, SendSms):
            await self._send_sms(index, effect)
        elif (command := self._call(effect)) is not None:
            self._command(f"e{index}", command, effect)

    def _call(self, effect: Effect) -> Call | None:
        ctx = self.ctx
        if isinstance(effect, MoveDeal):
            return build.move_deal(effect, ctx)
        if isinstance(effect, MoveCard):
            return build.move_card(effect, ctx)
        if isinstance(effect, SetCardRows):
            return build.set_card_rows(effect, ctx)
        if isinstance(effect, Notify):
            return build.notify(effect, ctx)
        if isinstance(effect, CreateTask):
            return build.task(effect, ctx, self.deal_id)
        return None

    async def _send_sms(self, index: int, effect: SendSms) -> None:
        text = render(effect.template_key, self.ctx.lang)
        try:
            sent = await self.sms.send(effect.phone, text, idempotency_key=effect.key)
        except SmsError as exc:
            self.result.failed.append(effect.key)
            self.result.errors[effect.key] = str(exc)
            return
        self.sms_keys.add(effect.key)
        comment = f"SMS клиенту ({effect.phone}): {text}"
        self._command(f"e{index}", build.timeline_comment(effect.deal_id, comment), effect)
        self.result.done[effect.key] = {"provider": sent.provider, "message_id": sent.message_id}

    def _collect(self, outcomes: dict[str, Any]) -> None:
        for name, outcome in outcomes.items():
            key = self.owners[name]
            if outcome.error is not None and key in self.sms_keys:
                continue  # the SMS went out; only its timeline entry is missing — never resend
            if outcome.error is not None:
                if key not in self.result.failed:
                    self.result.failed.append(key)
                self.result.errors[key] = f"{outcome.error.code}: {outcome.error}"
                self.result.done.pop(key, None)
                continue
            if name == "card":
                self.result.card_id = int(outcome.value["item"]["id"])
            if key not in self.result.failed:
                previous = self.result.done.get(key, {})
                self.result.done[key] = previous | (
                    {"card_id": self.result.card_id} if name == "card" else {}
                )
