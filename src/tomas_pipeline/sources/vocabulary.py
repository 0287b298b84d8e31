"""What the ids in a law's `kind`, a strategy's `field` and a legal feature read as, in one place for
the report and the briefs. The English words are the briefs' msgids too: marked with ``N_`` they are extracted
into the catalogs (briefs.i18n.EXTRACT_ARGS), and a brief translates them at build time."""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 -- gettext's name for "mark, translate later"
    return text


FIELD_LABELS = {
    "child_online": N_("children online"),
    "child_protection": N_("child protection"),
    "child_rights": N_("children's rights"),
    "criminal_code": N_("criminal law"),
    "criminal_procedure": N_("criminal procedure"),
    "cybersecurity": N_("cybersecurity"),
    "data_protection": N_("data protection"),
    "digital_agenda": N_("digital agenda"),
    "domestic_violence": N_("domestic violence"),
    "education": N_("education"),
    "electronic_communications": N_("electronic communications"),
    "information_security": N_("information security"),
    "information_society": N_("information society"),
    "organised_crime": N_("organised crime"),
    "public_order": N_("public order"),
    "social_protection": N_("social protection"),
    "trafficking": N_("trafficking in human beings"),
    "violence": N_("violence"),
}

# legal_features.csv's `feature`: ICMEC's model-legislation criteria and the laws the paper recommends.
FEATURE_LABELS = {
    "criminalises_grooming": N_("solicitation of children (grooming) as an offence"),
    "csam_definition": N_("a legal definition of child sexual abuse material"),
    "dedicated_child_protection_law": N_("a law dedicated to child protection"),
    "isp_reporting_duty": N_("a duty on internet service providers to report"),
    "restorative_justice": N_("restorative justice in the law"),
    "simple_possession": N_("simple possession as an offence"),
    "specific_csam_legislation": N_("legislation specific to child sexual abuse material"),
    "technology_facilitated": N_("offences committed through computers and the internet"),
}
