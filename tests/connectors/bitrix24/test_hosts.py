"""The SSRF allow-list decides before any request is made."""

from __future__ import annotations

import pytest

from connectors.bitrix24.errors import HostNotAllowedError
from connectors.bitrix24.hosts import is_allowed_url, require_allowed_url


class TestCloudPortals:
    @pytest.mark.parametrize(
        "url",
        [
            "https://portal.bitrix24.ru/rest/1/code/",
            "https://portal.bitrix24.com/rest/",
            "https://my-company.bitrix24.de/rest/",
            "https://x1.bitrix24.com.br/rest/",
            "https://b24-abc.bitrix24.com.tr/rest/",
            "https://PORTAL.Bitrix24.KZ/rest/",
            "https://portal.bitrix24.eu:443/rest/",
        ],
    )
    def test_https_subdomains_of_cloud_zones_are_allowed(self, url: str) -> None:
        assert is_allowed_url(url)

    @pytest.mark.parametrize(
        "url",
        [
            "http://portal.bitrix24.ru/rest/",
            "https://portal.bitrix24.com.evil.io/rest/",
            "https://portalbitrix24.com/rest/",
            "https://bitrix24.com/rest/",
            "https://evil-bitrix24.com/rest/",
            "https://portal.bitrix24.ru@evil.io/rest/",
            "https://evil.io@portal.bitrix24.ru/rest/",
            "https://user:pw@portal.bitrix24.ru/rest/",
            "https://127.0.0.1/rest/",
            "https://169.254.169.254/latest/",
            "https://[::1]/rest/",
            "https://portal.bitrix24.ru:8443/rest/",
            "https://portal.bitrix24.ru./rest/",
            "https://-bad.bitrix24.ru/rest/",
            "https://a_b.bitrix24.ru/rest/",
            "ftp://portal.bitrix24.ru/rest/",
            "javascript:alert(1)",
            "https://portal.bitrix24.ru\\@evil.io/",
            "https://portal.bitrix24.ru:99999/",
            "",
        ],
    )
    def test_look_alikes_ip_literals_and_tricks_are_refused(self, url: str) -> None:
        assert not is_allowed_url(url)


class TestConfiguredHosts:
    def test_a_configured_loopback_host_may_use_plain_http(self) -> None:
        assert is_allowed_url("http://127.0.0.1:8001/rest/1/x/", ["127.0.0.1:8001"])

    def test_the_port_must_match_the_configured_entry(self) -> None:
        assert not is_allowed_url("http://127.0.0.1:8002/rest/", ["127.0.0.1:8001"])

    def test_entries_may_be_written_as_urls(self) -> None:
        assert is_allowed_url("https://crm.example.org/rest/", ["https://crm.example.org/"])

    def test_userinfo_cannot_smuggle_a_configured_host(self) -> None:
        assert not is_allowed_url("http://127.0.0.1:8001@evil.io/", ["127.0.0.1:8001"])


class TestOAuthServers:
    def test_only_the_oauth_server_is_an_oauth_target(self) -> None:
        assert is_allowed_url("https://oauth.bitrix.info/oauth/token/", oauth_server=True)
        assert not is_allowed_url("https://portal.bitrix24.ru/oauth/token/", oauth_server=True)
        assert not is_allowed_url("https://oauth.bitrix.info/oauth/token/")

    def test_refusal_names_the_host_but_not_the_path(self) -> None:
        with pytest.raises(HostNotAllowedError) as caught:
            require_allowed_url("https://evil.io/rest/1/secretcode/", method="crm.deal.get")
        assert "evil.io" in str(caught.value)
        assert "secretcode" not in str(caught.value)
        assert caught.value.method == "crm.deal.get"
