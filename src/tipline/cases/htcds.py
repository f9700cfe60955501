"""The picklists of the IOM Human Trafficking Case Data Standard (HTCDS) 2.0 that cases use.

Values are the standard's value names exactly (they are what the HTCDS export writes), labels
its value labels. `tests/test_htcds.py` reads `shared/reference/htcds-2.0-fields.tsv` and checks
every list here against the standard's, value for value, so a typo cannot slip in.
("Human Trafficking Case Data Standard (HTCDS) by IOM", CC BY 4.0; no endorsement implied.)
"""

from __future__ import annotations

from django.db import models


class Gender(models.TextChoices):
    """`prs_Gender`."""

    FEMININE = "Feminine", "Feminine"
    MASCULINE = "Masculine", "Masculine"
    TRANSGENDER_FEMININE = "TransgenderFeminine", "Transgender Feminine"
    TRANSGENDER_MASCULINE = "TransgenderMasculine", "Transgender Masculine"
    NON_CONFORMING = "NonConforming", "Non-Conforming"
    NOT_SPECIFIED = "NonSpecifiedUnknown", "Not Specified/Unknown"


class TraffickingStatus(models.TextChoices):
    """`vic_TraffickingStatus`."""

    POSSIBLE = "PossibleVictimOfTrafficking", "Possible victim of trafficking"
    ACTUAL = "ActualVictimOfTrafficking", "Actual victim of trafficking"
    NOT_A_VICTIM = "NotAVictimOfTrafficking", "Not a victim of trafficking"


class StatusDecidedBy(models.TextChoices):
    """`vic_TraffickingStatusDecisionMakingOrg`: who decided the trafficking status."""

    POLICE = "Police", "Police"
    NGO = "NGO", "NGO"
    COURT_OR_PROSECUTION = "CourtOrProsecution", "Court or prosecution"
    NON_POLICE_GOVERNMENT = (
        "NonPoliceGovernmentalOrganization",
        "Non-police governmental organization",
    )
    OTHER = "Other", "Other"


class RelationshipToTrafficker(models.TextChoices):
    """`vic_RelationshipToTrafficker` (the standard spells the third value "Unaquainted")."""

    FAMILIAL = "Familial", "Familial"
    ACQUAINTED = "Acquainted", "Acquainted"
    UNACQUAINTED = "Unaquainted", "Unacquainted"


class WebsiteOrApp(models.TextChoices):
    """`vic_RecruitmentWebsitesAndApps` and `vic_ExploitationWebsitesAndApps`."""

    FACEBOOK = "Facebook", "Facebook"
    INSTAGRAM = "Instagram", "Instagram"
    WHATSAPP = "WhatsApp", "WhatsApp"
    TELEGRAM = "Telegram", "Telegram"
    FACEBOOK_MESSENGER = "FacebookMessenger", "Facebook Messenger"
    VIBER = "Viber", "Viber"
    SNAPCHAT = "SnapChat", "SnapChat"
    LINE = "Line", "Line"
    FOUR_SALE = "4Sale", "4Sale"
    WECHAT = "WeChat", "WeChat"
    QQ = "QQ", "QQ"
    QZONE = "QZone", "QZone"
    TIKTOK = "TikTok", "TikTok"
    TWITTER = "Twitter", "Twitter"
    OTHER = "Other", "Other"


class RecruitmentMethod(models.TextChoices):
    """`vic_MethodOfRecruitment`."""

    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", "At a place of business"
    EDUCATIONAL_INSTITUTION = "AtAnEducationalInstitution", "At an educational institution"
    AT_WORK = "AtWork", "At work"
    ONLINE_SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", "Through online social networks"
    ONLINE_ADVERTISEMENT = "ThroughAnOnlineAdvertisement", "Through an online advertisement"
    TELEVISION_ADVERT = "ThroughATelevisionAdvert", "Through a television advert"
    NEWSPAPER_ADVERT = "ThroughANewspaperAdvert", "Through a newspaper advert"
    FAMILY = "ThroughFamilyOrFamilyEvents", "Through family or family events"
    FRIENDS = "ThroughFriendsOrSocialEvents", "Through friends or social events"
    OTHER = "Other", "Other"


class MethodOfControl(models.TextChoices):
    """`vic_MethodsOfControl`: every value of the standard's list."""

    PHYSICAL_THREATS = "PhysicalThreats", "Physical threats"
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", "Threats of law enforcement"
    THREATENS_CHILDREN_FAMILY = "ThreatensChildrenFamily", "Threatens children/family"
    DEBT_BONDAGE = "DebtBondage", "Debt bondage"
    FALSE_PROMISES = "FalsePromises", "False promises"
    PHYSICAL_ABUSE = "PhysicalAbuse", "Physical abuse"
    SEXUAL_ABUSE = "SexualAbuse", "Sexual abuse"
    TAKES_EARNINGS = "TakesEarnings", "Takes earnings"
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", "Restricts financial access"
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", "Restricts medical care"
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", "Withholds necessities"
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", "Psychological abuse"
    PSYCHOACTIVE_SUBSTANCE = "PsychoactiveSubstance", "Psychoactive substance"
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", "Excessive working hours"
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", "Withholds documents"
    OTHER = "Other", "Other"


class ExploitationType(models.TextChoices):
    """`vic_TypeOfExploitation`."""

    FORCED_LABOUR = "ForcedLabour", "Forced labour"
    SEXUAL_EXPLOITATION = "SexualExploitation", "Sexual exploitation"
    CHILD_LABOUR = "ChildLabour", "Child labour"
    FORCED_MARRIAGE = "ForcedMarriage", "Forced marriage"
    SERVITUDE = "Servitude", "Servitude"
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", "Forced military (by non-state actors)"
    ORGAN_REMOVAL = "OrganRemoval", "Organ removal"
    FORCED_BEGGING = "ForcedBegging", "Forced begging"
    FORCED_ADOPTION = "ForcedAdoption", "Forced adoption"
    SURROGACY = "Surrogacy", "Surrogacy"
    OTHER = "Other", "Other"


class ForcedLabourIndustry(models.TextChoices):
    """`vic_ForcedLabourIndustry`: the sections of ISIC rev. 4."""

    A = "A_AgricultureForestryAndFishing", "Agriculture, forestry and fishing"
    B = "B_MiningAndQuarrying", "Mining and quarrying"
    C = "C_Manufacturing", "Manufacturing"
    D = (
        "D_ElectricityGasSteamAndAirConditioningSupply",
        "Electricity, gas, steam and air conditioning supply",
    )
    E = (
        "E_WaterSupplySewerageWasteManagement",
        "Water supply; sewerage, waste management and remediation",
    )
    F = "F_Construction", "Construction"
    G = (
        "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
        "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    )
    H = "H_TransportationAndStorage", "Transportation and storage"
    I = "I_AccommodationAndFoodServiceActivities", "Accommodation and food service activities"  # noqa: E741  # ISIC's own letter
    J = "J_InformationAndCommunication", "Information and communication"
    K = "K_FinancialAndInsuranceActivities", "Financial and insurance activities"
    L = "L_RealEstateActivities", "Real estate activities"
    M = (
        "M_ProfessionalScientificAndTechnicalActivities",
        "Professional, scientific and technical activities",
    )
    N = (
        "N_AdministrativeAndSupportServiceActivities",
        "Administrative and support service activities",
    )
    O = (  # noqa: E741  # ISIC's own letter
        "O_PublicAdministrationAndDefence",
        "Public administration and defence; compulsory social security",
    )
    P = "P_Education", "Education"
    Q = "Q_HumanHealthAndSocialWorkActivities", "Human health and social work activities"
    R = "R_ArtsEntertainmentAndRecreation", "Arts, entertainment and recreation"
    S = "S_OtherServiceActivities", "Other service activities"
    T = "T_ActivitiesOfHouseholdsAsEmployers", "Activities of households as employers"
    U = (
        "U_ActivitiesOfExtraterritorialOrganizations",
        "Activities of extraterritorial organizations and bodies",
    )


class SexExploitationType(models.TextChoices):
    """`vic_TypeOfSexExploitation`."""

    PROSTITUTION = "Prostitution", "Prostitution"
    PORNOGRAPHY = "Pornography", "Pornography"
    REMOTE_INTERACTIVE = "RemoteInteractiveServices", "Remote Interactive Services"
    PRIVATE_SEXUAL = "PrivateSexualServices", "Private Sexual Services"


class Vulnerability(models.TextChoices):
    """`vic_Vulnerabilities` (deprecated by the standard in favour of assessments, but Core)."""

    ADDICTION = "Addiction", "Addiction"
    SOCIAL_GROUP = "SocialGroup", "Social Group"
    DISCRIMINATION = "Discrimination", "Discrimination"
    POVERTY = "Poverty", "Poverty"
    DISABILITY = "DisabilityAndPhysicalHealth", "Disability and physical health"
    MENTAL_HEALTH = "MentalHealth", "Mental health"
    MIGRATION = "Migration", "Migration"
    HOMELESSNESS = "Homelessness", "Homelessness"
    ABUSE_SOCIAL_MEDIA = "AbuseSocialMedia", "Abuse - social media"
    ABUSE_PHYSICAL = "AbusePhysical", "Abuse - physical"
    EDUCATION = "Education", "Education"
    WORK_ENVIRONMENT = "WorkEnvironment", "Work environment"


class MovementStage(models.TextChoices):
    """`hte_Type`: the stage of a victim's movement a place belongs to."""

    RECRUITMENT = "Recruitment", "Recruitment"
    TRANSIT = "Transit", "Transit"
    EXPLOITATION = "Exploitation", "Exploitation"


class ReferralReason(models.TextChoices):
    """`cas_ReasonForIncomingReferral` and `cas_ReasonForOutgoingReferral`."""

    ADDITIONAL_SERVICES = "AdditionalServicesRequired", "Additional Services Required"
    MIGRATION = "MigrationOrChangeOfLocation", "Migration or Change of Location"
    OTHER = "Other", "Other"


class OrganisationType(models.TextChoices):
    """`org_Type`."""

    NGO = "NGO", "NGO"
    LAW_ENFORCEMENT = "LawEnforcement", "Law Enforcement"
    HEALTH = "HealthServiceOrganisation", "Health Service Organisation"
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", "Central Government Organisation"
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", "Local Government Organisation"
    IMMIGRATION = "ImmigrationService", "Immigration Service"
    LEGAL = "LegalService", "Legal Service"
    CORPORATE = "CorporateBusiness", "Corporate Business"
    SCHOOL = "SchoolOrCollege", "School or College"


# Each field of the standard whose values a list here gives (the test compares them).
PICKLISTS: dict[str, type[models.TextChoices]] = {
    "prs_Gender": Gender,
    "vic_TraffickingStatus": TraffickingStatus,
    "vic_TraffickingStatusDecisionMakingOrg": StatusDecidedBy,
    "vic_RelationshipToTrafficker": RelationshipToTrafficker,
    "vic_RecruitmentWebsitesAndApps": WebsiteOrApp,
    "vic_ExploitationWebsitesAndApps": WebsiteOrApp,
    "vic_MethodOfRecruitment": RecruitmentMethod,
    "vic_MethodsOfControl": MethodOfControl,
    "vic_TypeOfExploitation": ExploitationType,
    "vic_ForcedLabourIndustry": ForcedLabourIndustry,
    "vic_TypeOfSexExploitation": SexExploitationType,
    "vic_Vulnerabilities": Vulnerability,
    "hte_Type": MovementStage,
    "cas_ReasonForIncomingReferral": ReferralReason,
    "cas_ReasonForOutgoingReferral": ReferralReason,
    "org_Type": OrganisationType,
}
