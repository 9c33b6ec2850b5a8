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


@pytest.fixture(scope="session")
def built_twin(tmp_path_factory):
    """One twin built and run for two hours, shared read-only by the tests that inspect it."""
    from helpers.twin.estate import Twin

    root = tmp_path_factory.mktemp("twin") / "ws"
    twin = Twin.up(root)
    twin.run_hours(2)
    return root


@pytest.fixture
def twin_copy(built_twin, tmp_path):
    """A private copy of the built twin, for tests that change it."""
    import shutil

    from helpers.twin.estate import Twin

    root = tmp_path / "ws"
    shutil.copytree(built_twin, root)
    return Twin.open(root)


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials and region for moto, and a guard that fails any non-loopback connection."""
    import socket

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")):
            raise AssertionError(f"a test tried to connect to {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture
def aws_account(aws_env):
    """A fake AWS account under moto: a session on it, with the workshop's default bucket."""
    from moto import mock_aws

    from helpers import session

    with mock_aws():
        sess = session("aws", discover=False)  # an empty account: nothing to discover
        sess.client("s3").create_bucket(Bucket=sess.default_bucket)
        yield sess
