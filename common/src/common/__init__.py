"""Shared building blocks of the clinic booking services."""
