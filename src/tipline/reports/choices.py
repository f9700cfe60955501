"""Vocabularies of the report: channels, incident types, statuses, roles, sharing levels."""

from django.db import models


class Channel(models.TextChoices):
    WEB = "web", "Public web form"
    API = "api", "JSON API"
    ISPWS = "ispws", "CyberTipline-compatible API"
    SMS = "sms", "SMS"
    USSD = "ussd", "USSD"
    WHATSAPP = "whatsapp", "WhatsApp"
    PARTNER = "partner", "Partner referral"
    NCMEC_REFERRAL = "ncmec_referral", "NCMEC CyberTipline referral"


class IncidentType(models.TextChoices):
    # The eight CyberTipline incident types.
    CHILD_PORNOGRAPHY = (
        "child_pornography",
        "Child sexual abuse material (possession, manufacture, distribution)",
    )
    CHILD_SEX_TRAFFICKING = "child_sex_trafficking", "Child sex trafficking"
    CHILD_SEX_TOURISM = "child_sex_tourism", "Child sex tourism"
    CHILD_SEXUAL_MOLESTATION = "child_sexual_molestation", "Child sexual molestation"
    MISLEADING_DOMAIN_NAME = "misleading_domain_name", "Misleading domain name"
    MISLEADING_WORDS_OR_IMAGES = (
        "misleading_words_or_images",
        "Misleading words or digital images on the internet",
    )
    ONLINE_ENTICEMENT = "online_enticement", "Online enticement of children for sexual acts"
    UNSOLICITED_OBSCENE_MATERIAL = (
        "unsolicited_obscene_material",
        "Unsolicited obscene material sent to a child",
    )
    # Trafficking and exploitation types.
    SEX_TRAFFICKING_ADULT = "sex_trafficking_adult", "Sex trafficking of adults"
    LABOUR_EXPLOITATION = "labour_exploitation", "Labour exploitation"
    DOMESTIC_SERVITUDE = "domestic_servitude", "Domestic servitude"
    FORCED_BEGGING = "forced_begging", "Forced begging"
    BABY_SELLING = "baby_selling", 'Baby selling or "baby factory"'
    ORGAN_HARVESTING = "organ_harvesting", "Organ harvesting"
    FORCED_MARRIAGE = "forced_marriage", "Forced marriage"
    FORCED_CRIMINALITY = "forced_criminality", "Forced criminality"
    FINANCIAL_SEXTORTION = "financial_sextortion", "Financial sextortion"
    DECEPTIVE_RECRUITMENT = "deceptive_recruitment", "Deceptive recruitment or job offer"
    MISSING_CHILD_SIGHTING = "missing_child_sighting", "Missing-child sighting"


# The CyberTipline's own wording of its eight types, for /ispws and NCMEC export.
NCMEC_INCIDENT_TYPES: dict[str, str] = {
    IncidentType.CHILD_PORNOGRAPHY: "Child Pornography (possession, manufacture, and distribution)",
    IncidentType.CHILD_SEX_TRAFFICKING: "Child Sex Trafficking",
    IncidentType.CHILD_SEX_TOURISM: "Child Sex Tourism",
    IncidentType.CHILD_SEXUAL_MOLESTATION: "Child Sexual Molestation",
    IncidentType.MISLEADING_DOMAIN_NAME: "Misleading Domain Name",
    IncidentType.MISLEADING_WORDS_OR_IMAGES: "Misleading Words or Digital Images on the Internet",
    IncidentType.ONLINE_ENTICEMENT: "Online Enticement of Children for Sexual Acts",
    IncidentType.UNSOLICITED_OBSCENE_MATERIAL: "Unsolicited Obscene Material Sent to a Child",
}


class Annotation(models.TextChoices):
    SEXTORTION = "sextortion", "Sextortion"
    CSAM_SOLICITATION = "csam_solicitation", "CSAM solicitation"
    MINOR_TO_MINOR = "minor_to_minor", "Minor-to-minor interaction"
    GENERATIVE_AI = "generative_ai", "Generative AI"
    LIVE_STREAMING = "live_streaming", "Live streaming"
    SPAM = "spam", "Spam"
    SADISTIC_ONLINE_EXPLOITATION = "sadistic_online_exploitation", "Sadistic online exploitation"
    ONGOING_ABUSE = "ongoing_abuse", "Abuse is ongoing"
    MEETING_ARRANGED = "meeting_arranged", "A meeting is arranged"
    SELF_HARM_THREAT = "self_harm_threat", "Threat of self-harm"
    CROSS_BORDER = "cross_border", "Cross-border movement"


class ReportStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
    ASSIGNED = "assigned", "Assigned"
    CASE_OPENED = "case_opened", "Case opened"
    REFERRED = "referred", "Referred"
    CLOSED = "closed", "Closed"


# The only status changes `report_transition` allows. Anything else is refused.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    # A pipeline batch runs every step of its reports in one transaction, so they go straight
    # to triage: "processing" would never be seen outside it, and cost a write and an audit row.
    ReportStatus.RECEIVED: frozenset({ReportStatus.PROCESSING, ReportStatus.AWAITING_TRIAGE}),
    ReportStatus.PROCESSING: frozenset({ReportStatus.AWAITING_TRIAGE}),
    ReportStatus.AWAITING_TRIAGE: frozenset(
        {ReportStatus.ASSIGNED, ReportStatus.CLOSED, ReportStatus.REFERRED}
    ),
    ReportStatus.ASSIGNED: frozenset(
        {
            ReportStatus.CASE_OPENED,
            ReportStatus.REFERRED,
            ReportStatus.CLOSED,
            ReportStatus.AWAITING_TRIAGE,
        }
    ),
    ReportStatus.CASE_OPENED: frozenset({ReportStatus.CLOSED}),
    ReportStatus.REFERRED: frozenset({ReportStatus.CLOSED, ReportStatus.ASSIGNED}),
    ReportStatus.CLOSED: frozenset({ReportStatus.ASSIGNED}),
}


class CloseReason(models.TextChoices):
    DUPLICATE = "duplicate", "Duplicate"
    INFORMATIONAL = "informational", "Informational"
    NO_OFFENCE = "no_offence", "No offence"
    INSUFFICIENT_INFORMATION = "insufficient_information", "Insufficient information"


class PersonRole(models.TextChoices):
    REPORTED_PERSON = "reported_person", "Reported person or user"
    VICTIM = "victim", "Victim"
    INTENDED_RECIPIENT = "intended_recipient", "Intended recipient"
    REPORTER = "reporter", "Reporter"
    WITNESS = "witness", "Witness"


class InternetDetailKind(models.TextChoices):
    WEB_PAGE = "web_page", "Web page"
    EMAIL = "email", "Email"
    NEWSGROUP = "newsgroup", "Newsgroup"
    CHAT_IM = "chat_im", "Chat / instant message"
    ONLINE_GAMING = "online_gaming", "Online gaming"
    CELL_PHONE = "cell_phone", "Cell phone"
    PEER_TO_PEER = "peer_to_peer", "Peer-to-peer"
    NON_INTERNET = "non_internet", "Non-internet"


class SharingLevel(models.TextChoices):
    """Traffic Light Protocol 2.0."""

    RED = "TLP:RED", "TLP:RED"
    AMBER_STRICT = "TLP:AMBER+STRICT", "TLP:AMBER+STRICT"
    AMBER = "TLP:AMBER", "TLP:AMBER"
    GREEN = "TLP:GREEN", "TLP:GREEN"
    CLEAR = "TLP:CLEAR", "TLP:CLEAR"


class Priority(models.TextChoices):
    P1 = "P1", "P1 - child in imminent danger"
    P2 = "P2", "P2 - high"
    P3 = "P3", "P3 - medium"
    P4 = "P4", "P4 - low"


class FileClassification(models.TextChoices):
    A1 = "A1", "A1 - prepubescent, sex act"
    A2 = "A2", "A2 - prepubescent, lascivious exhibition"
    B1 = "B1", "B1 - pubescent, sex act"
    B2 = "B2", "B2 - pubescent, lascivious exhibition"


class Language(models.TextChoices):
    EN = "en", "English"
    HA = "ha", "Hausa"
    YO = "yo", "Yoruba"
    IG = "ig", "Igbo"
    PCM = "pcm", "Nigerian Pidgin"
