"""Helpers for tests that need a system dependency: skip with a reason locally, fail in CI (CI=true)."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """True when running under CI, where every system dependency must be installed."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need_system(available: bool, what: str) -> None:
    """Skip the calling test when WHAT is missing — except in CI, where a missing dependency is a failure."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{what} is missing in CI; .ci/run must install it (scripts/install-system-deps.sh)")
    pytest.skip(f"{what} is not installed on this machine")


def need_shared(path, what: str):
    """PATH (in ../shared) when it exists; else skip locally, fail in CI (which always has ../shared beside it)."""
    from pathlib import Path

    if path is not None and Path(path).exists():
        return Path(path)
    if in_ci():
        pytest.fail(f"{what} is missing in CI; the CI checkout must have ../shared beside it")
    pytest.skip(f"{what} is not present beside the checkout")
