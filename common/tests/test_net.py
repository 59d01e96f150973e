"""Tests of common.net: the client's address."""

import pytest
from django.test import RequestFactory

from common.net import client_address, is_ip_address


def request(remote="192.0.2.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request(forwarded="203.0.113.5")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the left part is the client's own say
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "192.0.2.1"),  # fewer entries than proxies: ignored
        (1, "", "192.0.2.1"),
    ],
)
def test_behind_trusted_proxies_the_proxys_entry_counts(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request(forwarded=forwarded)) == expected


def test_no_address_at_all_is_unknown():
    bare = RequestFactory().get("/")
    del bare.META["REMOTE_ADDR"]
    assert client_address(bare) == "unknown"


@pytest.mark.parametrize(
    ("value", "ok"),
    [("192.0.2.1", True), ("2001:db8::1", True), ("unknown", False), ("1.2.3", False), ("", False)],
)
def test_is_ip_address(value, ok):
    assert is_ip_address(value) is ok
