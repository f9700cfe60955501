"""The `ncmec_referral` channel, and the NCMEC imports made before it moved onto it: reports
imported from NCMEC packages (no API client, `external_id` `NCMEC-<number>`) were `partner`, and
the importer now finds earlier imports by the new channel, so they move with their addenda
(the body is encrypted, so an addendum is known by its report and channel)."""

from typing import Any

from django.db import migrations, models


def _move(apps: Any, old: str, new: str) -> None:
    report_model = apps.get_model("reports", "Report")
    addendum_model = apps.get_model("reports", "Addendum")
    imported = report_model.objects.filter(
        api_client__isnull=True, external_id__startswith="NCMEC-", channel=old
    )
    addendum_model.objects.filter(report__in=imported, channel=old).update(channel=new)
    imported.update(channel=new)


def forwards(apps: Any, schema_editor: Any) -> None:
    _move(apps, "partner", "ncmec_referral")


def backwards(apps: Any, schema_editor: Any) -> None:
    _move(apps, "ncmec_referral", "partner")


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0009_incident_time_read_and_pipeline_rerun'),
    ]

    operations = [
        migrations.AlterField(
            model_name='addendum',
            name='channel',
            field=models.CharField(choices=[('web', 'Public web form'), ('api', 'JSON API'), ('ispws', 'CyberTipline-compatible API'), ('sms', 'SMS'), ('ussd', 'USSD'), ('whatsapp', 'WhatsApp'), ('partner', 'Partner referral'), ('ncmec_referral', 'NCMEC CyberTipline referral')], max_length=16),
        ),
        migrations.AlterField(
            model_name='report',
            name='channel',
            field=models.CharField(choices=[('web', 'Public web form'), ('api', 'JSON API'), ('ispws', 'CyberTipline-compatible API'), ('sms', 'SMS'), ('ussd', 'USSD'), ('whatsapp', 'WhatsApp'), ('partner', 'Partner referral'), ('ncmec_referral', 'NCMEC CyberTipline referral')], max_length=16),
        ),
        migrations.RunPython(forwards, backwards),
    ]
