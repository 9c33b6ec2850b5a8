"""Shared test fixtures. Real Model Monitor outputs are read from ../shared, never copied."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "fixtures" / "sagemaker-real"


@pytest.fixture
def real() -> Path:
    """The folder of real container outputs; tests that need it skip when it is absent."""
    if not REAL.is_dir():
        pytest.skip(f"real Model Monitor fixtures not found at {REAL} (../shared is not beside this checkout)")
    return REAL
