"""The web server's settings file is read by gunicorn, which ignores names it does not know."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured
from gunicorn.config import Config

MODULE = "tipline.config.gunicorn"


def _load() -> ModuleType:
    return importlib.reload(importlib.import_module(MODULE))


def _as_gunicorn_reads_it(module: ModuleType) -> Config:
    config = Config()
    names = [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not callable(value)
        and not isinstance(value, ModuleType)
        and name != "annotations"
    ]
    unknown = [n for n in names if n not in config.settings]
    assert not unknown, f"gunicorn would silently ignore {unknown}"
    for name in names:
        if name in config.settings:
            config.set(name, getattr(module, name))
    return config


def test_threaded_workers_one_per_cpu_and_no_keepalive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIPLINE_WEB_WORKERS", raising=False)
    monkeypatch.delenv("TIPLINE_WEB_THREADS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    config = _as_gunicorn_reads_it(_load())
    assert config.worker_class_str == "gthread"
    assert (config.workers, config.threads, config.keepalive) == (6, 2, 0)


def test_counts_come_from_the_environment_and_bad_ones_fail_fast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIPLINE_WEB_WORKERS", "3")
    monkeypatch.setenv("TIPLINE_WEB_THREADS", "4")
    config = _as_gunicorn_reads_it(_load())
    assert (config.workers, config.threads) == (3, 4)
    monkeypatch.setenv("TIPLINE_WEB_WORKERS", "0")
    with pytest.raises(ImproperlyConfigured, match="TIPLINE_WEB_WORKERS"):
        _load()
    monkeypatch.delenv("TIPLINE_WEB_WORKERS")
    _load()  # leave the module as the environment has it
