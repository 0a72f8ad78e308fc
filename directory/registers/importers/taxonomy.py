"""How the registers' own classifications map onto CareHub's taxonomy and councils.

Category and client group slugs are those of the seeded taxonomy (the
directory's data migration); a slug the database does not have is skipped, so
the importer never invents categories or client groups.
"""

from __future__ import annotations

# The 32 Scottish council areas as the Care Inspectorate names them → GSS code
# (the codes used by Code-Point Open, so services and postcodes share councils).
SCOTTISH_COUNCILS: dict[str, tuple[str, str]] = {
    "Aberdeen City": ("S12000033", "Aberdeen City"),
    "Aberdeenshire": ("S12000034", "Aberdeenshire"),
    "Angus": ("S12000041", "Angus"),
    "Argyll & Bute": ("S12000035", "Argyll and Bute"),
    "City of Edinburgh": ("S12000036", "City of Edinburgh"),
    "Clackmannanshire": ("S12000005", "Clackmannanshire"),
    "Dumfries & Galloway": ("S12000006", "Dumfries and Galloway"),
    "Dundee City": ("S12000042", "Dundee City"),
    "East Ayrshire": ("S12000008", "East Ayrshire"),
    "East Dunbartonshire": ("S12000045", "East Dunbartonshire"),
    "East Lothian": ("S12000010", "East Lothian"),
    "East Renfrewshire": ("S12000011", "East Renfrewshire"),
    "Falkirk": ("S12000014", "Falkirk"),
    "Fife": ("S12000015", "Fife"),
    "Glasgow City": ("S12000046", "Glasgow City"),
    "Highland": ("S12000017", "Highland"),
    "Inverclyde": ("S12000018", "Inverclyde"),
    "Midlothian": ("S12000019", "Midlothian"),
    "Moray": ("S12000020", "Moray"),
    "Na h-Eileanan Siar": ("S12000013", "Na h-Eileanan an Iar"),
    "North Ayrshire": ("S12000021", "North Ayrshire"),
    "North Lanarkshire": ("S12000044", "North Lanarkshire"),
    "Orkney Islands": ("S12000023", "Orkney Islands"),
    "Perth & Kinross": ("S12000024", "Perth and Kinross"),
    "Renfrewshire": ("S12000038", "Renfrewshire"),
    "Scottish Borders": ("S12000026", "Scottish Borders"),
    "Shetland Islands": ("S12000027", "Shetland Islands"),
    "South Ayrshire": ("S12000028", "South Ayrshire"),
    "South Lanarkshire": ("S12000029", "South Lanarkshire"),
    "Stirling": ("S12000030", "Stirling"),
    "West Dunbartonshire": ("S12000039", "West Dunbartonshire"),
    "West Lothian": ("S12000040", "West Lothian"),
}
# Also accept the 'and' spellings and the Gaelic name the code list uses.
SCOTTISH_COUNCILS.update({name: (gss, name) for gss, name in list(SCOTTISH_COUNCILS.values())})
# Council names the register uses for services outside any Scottish council.
NO_COUNCIL = {"outside scotland", ""}

# Care Inspectorate CareService (and Subtype) → category slugs of the seeded taxonomy.
# Children's services have no dedicated category: early learning and childcare
# sits under education; fostering, adoption and secure care are left uncategorised.
CI_SERVICE_CATEGORIES: dict[str, list[str]] = {
    "Care Home Service": ["care-homes"],
    "Support Service": ["day-services", "day-centres"],
    "Housing Support Service": ["housing-with-support", "supported-living"],
    "Nurse Agency": ["nursing-care", "nursing-at-home"],
    "Adult Placement Service": ["housing-with-support", "adult-placement"],
    "Child Minding": ["education-and-training"],
    "Day Care of Children": ["education-and-training"],
    "Child Care Agency": ["education-and-training"],
    "School Care Accommodation Service": ["education-and-training"],
}
CI_SUBTYPE_CATEGORIES: dict[tuple[str, str], list[str]] = {
    ("Support Service", "Care at Home"): ["help-at-home", "personal-care"],
    ("Care Home Service", "Older People"): ["care-homes", "residential-care-homes"],
    ("Care Home Service", "Learning Disabilities"): ["care-homes", "care-homes-for-younger-adults"],
    ("Care Home Service", "Mental Health Problems"): ["care-homes", "care-homes-for-younger-adults"],
    ("Care Home Service", "Physical and Sensory Impairment"): ["care-homes", "care-homes-for-younger-adults"],
    ("Care Home Service", "Respite Care and Short Breaks"): ["care-homes", "short-breaks", "respite-in-a-care-home"],
}

# Client group slugs (seeded with the taxonomy); "Adults" alone is too broad to be one.
CI_CLIENT_GROUPS = {"Children": ["children-and-young-people"]}
CI_SUBTYPE_GROUPS: dict[str, list[str]] = {
    "Older People": ["older-people"],
    "Learning Disabilities": ["learning-disabilities"],
    "Mental Health Problems": ["mental-health"],
    "Physical and Sensory Impairment": ["physical-disabilities", "sensory-impairment"],
    "Alcohol and Drugs Rehabilitation": ["alcohol-and-drugs"],
    "Children & Young People": ["children-and-young-people"],
}
CI_AREA_GROUPS: dict[str, list[str]] = {
    "Older people - dementia": ["older-people", "dementia"],
    "Older people - frailty": ["older-people"],
    "Learning difficulties": ["learning-disabilities"],
    "Mental health problems (other than dementia)": ["mental-health"],
    "Physical disability or illness": ["physical-disabilities"],
    "Alcohol related brain injury": ["alcohol-and-drugs", "physical-disabilities"],
    "Autism spectrum disorders": ["autism"],
    "Alcohol dependency": ["alcohol-and-drugs"],
    "Drug dependency": ["alcohol-and-drugs"],
    "Acquired brain injury": ["physical-disabilities"],
    "Neurological condition (other than dementia)": ["physical-disabilities"],
    "Visual impairment": ["sensory-impairment"],
    "Hearing impairment": ["sensory-impairment"],
}
CI_AT_HOME = {("Support Service", "Care at Home"), ("Housing Support Service", ""), ("Nurse Agency", "")}


def ci_categories(care_service: str, subtype: str, main_area: str) -> list[str]:
    slugs = list(CI_SUBTYPE_CATEGORIES.get((care_service, subtype), CI_SERVICE_CATEGORIES.get(care_service, [])))
    if care_service == "Care Home Service" and main_area == "Older people - dementia":
        slugs.append("dementia-care-homes")
    return slugs


def ci_client_groups(client_group: str, subtype: str, main_area: str) -> list[str]:
    slugs = CI_CLIENT_GROUPS.get(client_group.strip(), []) + CI_SUBTYPE_GROUPS.get(subtype, [])
    slugs += CI_AREA_GROUPS.get(main_area, [])
    return list(dict.fromkeys(slugs))


# CQC service types (as in its care directory) → category slugs.
CQC_SERVICE_TYPE_CATEGORIES: dict[str, list[str]] = {
    "homecare agencies": ["help-at-home", "personal-care"],
    "residential homes": ["care-homes", "residential-care-homes"],
    "nursing homes": ["care-homes", "nursing-care", "nursing-homes"],
    "supported living": ["housing-with-support", "supported-living"],
    "extra care housing": ["housing-with-support", "extra-care-housing"],
    "shared lives": ["housing-with-support", "adult-placement"],
    "rehabilitation services": ["health-and-therapy"],
    "hospice services": ["nursing-care", "end-of-life-care"],
    "community services - nursing": ["nursing-care", "nursing-at-home"],
    "community services - healthcare": ["health-and-therapy"],
}
CQC_AT_HOME = {
    "homecare agencies",
    "supported living",
    "community services - nursing",
    "community services - healthcare",
}
CQC_SPECIALISM_GROUPS: dict[str, list[str]] = {
    "caring for adults over 65 yrs": ["older-people"],
    "caring for children": ["children-and-young-people"],
    "dementia": ["dementia"],
    "learning disabilities": ["learning-disabilities"],
    "mental health conditions": ["mental-health"],
    "physical disabilities": ["physical-disabilities"],
    "sensory impairments": ["sensory-impairment"],
    "substance misuse problems": ["alcohol-and-drugs"],
    "autism": ["autism"],
    "caring for people whose rights are restricted under the mental health act": ["mental-health"],
}
