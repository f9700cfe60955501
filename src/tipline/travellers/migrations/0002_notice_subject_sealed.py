"""The subject's matcher fields as one ciphertext (`Notice.subject_sealed`), filled for the
notices already stored."""

from typing import Any

from django.db import migrations

import tipline.common.fields

# SUBJECT_SECRET as this migration knows it (a later change to the model's tuple must not change
# what this migration wrote).
SECRET = ("given_names", "family_name", "aliases", "date_of_birth", "sex", "nationalities",
          "identifiers", "document_number", "first_night_address", "other_addresses")  # fmt: skip


def seal(apps: Any, schema_editor: Any) -> None:
    notice_model = apps.get_model("travellers", "Notice")
    for notice in notice_model.objects.filter(purged_at__isnull=True).iterator(chunk_size=500):
        notice.subject_sealed = {name: getattr(notice, name) for name in SECRET}
        notice.save(update_fields=["subject_sealed"])


class Migration(migrations.Migration):
    dependencies = [("travellers", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="subject_sealed",
            field=tipline.common.fields.EncryptedJSONField(blank=True, null=True),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
    ]
