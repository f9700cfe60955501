"""What the public form offers."""

from django.utils.translation import gettext_lazy as _

# Incident types in words a member of the public recognises, in the order they are most reported.
PUBLIC_INCIDENT_TYPES = [
    ("online_enticement", _("Someone online is grooming or pressuring a child for sexual acts")),
    ("financial_sextortion", _("Someone is threatening to share sexual images unless paid")),
    ("child_pornography", _("Sexual images or videos of a child")),
    ("child_sexual_molestation", _("A child is being sexually abused")),
    ("child_sex_trafficking", _("A child is being sold or traded for sex")),
    ("sex_trafficking_adult", _("An adult is being forced into sex work")),
    ("deceptive_recruitment", _("A job or travel offer that seems to be a trap")),
    ("labour_exploitation", _("Forced labour or work without pay")),
    ("domestic_servitude", _("A house help or child kept and not allowed to leave")),
    ("forced_begging", _("Children or others forced to beg")),
    ("baby_selling", _('Baby selling or a "baby factory"')),
    ("forced_marriage", _("Forced or child marriage")),
    ("organ_harvesting", _("Organ harvesting")),
    ("forced_criminality", _("Someone forced to commit crimes")),
    ("missing_child_sighting", _("I have seen a missing child")),
    ("unsolicited_obscene_material", _("Sexual material sent to a child")),
    ("misleading_words_or_images", _("Misleading words or images aimed at children online")),
    ("misleading_domain_name", _("A website name that tricks children")),
    ("child_sex_tourism", _("Travel to abuse children")),
]
