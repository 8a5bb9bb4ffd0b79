"""Settings: `.env.example` documents every variable, and lists parse from the environment."""

from pathlib import Path

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[3]


class TestSettings:
    def test_env_example_documents_every_setting(self) -> None:
        documented = {
            line.split("=", 1)[0].strip()
            for line in (ROOT / ".env.example").read_text().splitlines()
            if "=" in line and not line.lstrip().startswith("#")
        }
        expected = {name.upper() for name in Settings.model_fields}
        assert expected - documented == set()
        assert documented - expected == set()

    def test_allowed_domains_are_a_comma_separated_list(self, monkeypatch) -> None:
        monkeypatch.setenv("B24_ALLOWED_DOMAINS", "127.0.0.1:8001, Portal.Example.com")
        assert Settings().b24_allowed_domains == ["127.0.0.1:8001", "portal.example.com"]


class TestOAuthServerUrl:
    def test_the_token_endpoint_is_taken_for_its_server(self) -> None:
        for given in ("https://oauth.bitrix.info/oauth/token/", "https://oauth.bitrix.info/"):
            assert Settings(b24_oauth_url=given).b24_oauth_url == "https://oauth.bitrix.info"
