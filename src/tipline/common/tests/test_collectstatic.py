"""Production static files: `make run` and deployments run collectstatic with the manifest storage,
which fails on any reference to a file that is not there (a vendored source map, say)."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_with_the_production_storage_succeeds(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", "--no-input", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/chartjs/chart.umd.min.*.js"))
