"""Fixtures of user_service's tests; common.testing brings token clients."""

pytest_plugins = ["common.testing"]
