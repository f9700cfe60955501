"""Default wording of legal requests, citing the Cybercrimes Act 2015 and the Trafficking in
Persons Act 2015. Administrators review and edit them in the admin (LegalTemplate)."""

from django.db import migrations

CYBERCRIMES = (
    "the Cybercrimes (Prohibition, Prevention, etc.) Act 2015 (as amended), section 38 of which "
    "requires a service provider to keep traffic data and subscriber information and to "
    "preserve, hold or retain them, and release them to a relevant authority, on its request"
)
TIPPEA = (
    "the Trafficking in Persons (Prohibition) Enforcement and Administration Act 2015, under "
    "which the Agency investigates offences of trafficking in persons"
)
SIGNATURE = "\n\nYours faithfully,\n\n{officer}\nInvestigating officer, case {case}\n{command}"
PRESERVE = (
    "{date}\n\nTo: {holder}\n\nDear Sir or Madam,\n\n"
    "PRESERVATION OF DATA: {identifier_kind} {identifier} (our reference {case})\n\n"
    "The National Agency for the Prohibition of Trafficking in Persons is investigating an "
    "offence in which the {identifier_kind} {identifier} was used. Under {legal_basis}, we "
    "request that you preserve all subscriber information, traffic data and stored content "
    "associated with it, from ninety days before the date of this letter until further "
    "notice, pending a production order. Please do not disclose this request to the "
    "subscriber or account holder, and confirm the preservation by {due_date}."
    + SIGNATURE
)
PRODUCE = (
    "{date}\n\nTo: {holder}\n\nDear Sir or Madam,\n\n"
    "PRODUCTION OF DATA: {identifier_kind} {identifier} (our reference {case})\n\n"
    "The National Agency for the Prohibition of Trafficking in Persons is investigating an "
    "offence in which the {identifier_kind} {identifier} was used. Under {legal_basis}, you "
    "are required to produce {data} for the period stated in the attached order, by "
    "{due_date}, in electronic form, to the officer named below. Please do not disclose this "
    "order to the subscriber or account holder."
    + SIGNATURE
)
DEFAULTS = [
    ("Preservation request (any holder)", "preservation", "any", PRESERVE, 7, ""),
    (
        "Production order (any holder)",
        "production",
        "any",
        PRODUCE,
        14,
        "the subscriber information, traffic data and stored content associated with it",
    ),
    (
        "Production order (telecom)",
        "production",
        "telecom",
        PRODUCE,
        14,
        "the subscriber's registration records (with the NIN linked), call and SMS detail "
        "records and cell-site locations",
    ),
    (
        "Production order (bank)",
        "production",
        "bank",
        PRODUCE,
        14,
        "the account opening documents, the BVN-linked customer records and the statements "
        "of account",
    ),
]


def seed(apps, schema_editor):
    LegalTemplate = apps.get_model("cases", "LegalTemplate")
    for name, kind, holder_kind, body, days, data in DEFAULTS:
        title = (
            "Request to preserve data"
            if kind == "preservation"
            else "Order to produce data"
        )
        LegalTemplate.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "holder_kind": holder_kind,
                "title": f"{title} under the Cybercrimes Act 2015",
                "legal_basis": f"{CYBERCRIMES}, and {TIPPEA}",
                "body": body.replace("{data}", data),
                "days_to_respond": days,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_legal_requests")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
