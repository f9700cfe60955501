"""The national desk's upload form (the files themselves arrive through the encrypting handler)."""

from __future__ import annotations

from django import forms


class MultipleZipInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PackageUploadForm(forms.Form):
    """Only the widget: the view reads `request.FILES.getlist("packages")` itself, as each file is
    already an `EncryptedUpload` (or a refused one, with its reason)."""

    packages = forms.FileField(
        required=False,
        widget=MultipleZipInput(attrs={"accept": ".zip,application/zip"}),
        help_text="One or more ZIP packages as NCMEC makes them available.",
    )
