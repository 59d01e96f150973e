"""Fixtures of the portal's tests."""

pytest_plugins = ["common.testing"]
