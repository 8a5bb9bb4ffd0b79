"""``python -m sandbox --host 127.0.0.1 --port 8001``: run the sandbox portal with uvicorn."""

import argparse

import uvicorn

from sandbox.app import create_app
from sandbox.settings import SandboxSettings


def main() -> None:
    parser = argparse.ArgumentParser(description="Bitrix24 sandbox portal")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--base-url", default=None, help="public base URL (default http://HOST:PORT)"
    )
    args = parser.parse_args()
    settings = SandboxSettings()
    if args.base_url or "base_url" not in settings.model_fields_set:
        settings.base_url = args.base_url or f"http://{args.host}:{args.port}"
    uvicorn.run(create_app(settings), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
