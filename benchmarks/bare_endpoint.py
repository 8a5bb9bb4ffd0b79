"""The baseline of benchmarks/event_intake.py: a bare FastAPI endpoint that reads the same
form body, parses it and answers 200 — no verification, no database.

    uvicorn --app-dir benchmarks bare_endpoint:app --port 8100
"""

from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/b24/events")
async def receive_event(request: Request) -> dict[str, Any]:
    fields = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    return {"status": "ok", "fields": len(fields)}
