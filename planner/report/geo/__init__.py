"""Vendored country outlines for the report map (see LICENSE.md)."""
