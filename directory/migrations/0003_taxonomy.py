"""Seed the category taxonomy (15 top-level categories, a few subcategories
each) and the client groups. Idempotent: rows are matched by slug, so
re-running, or an admin renaming a category, is safe."""

from django.db import migrations

TAXONOMY = [
    ("care-homes", "Care homes", [
        ("residential-care-homes", "Residential care homes"),
        ("dementia-care-homes", "Dementia care homes"),
        ("care-homes-for-younger-adults", "Care homes for younger adults"),
    ]),
    ("nursing-care", "Nursing care", [
        ("nursing-homes", "Nursing homes"),
        ("nursing-at-home", "Nursing at home"),
        ("end-of-life-care", "End of life care"),
    ]),
    ("help-at-home", "Help at home (personal and domestic support)", [
        ("personal-care", "Personal care"),
        ("domestic-help", "Cleaning and domestic help"),
        ("meals-and-shopping", "Meals and shopping"),
        ("live-in-care", "Live-in care"),
        ("overnight-care", "Overnight care"),
    ]),
    ("personal-assistants", "Personal assistants", [
        ("personal-assistant-employment-support", "Help employing a personal assistant"),
        ("self-employed-personal-assistants", "Self-employed personal assistants"),
    ]),
    ("day-services", "Day services and activities", [
        ("day-centres", "Day centres"),
        ("lunch-clubs", "Lunch clubs"),
        ("befriending", "Befriending"),
    ]),
    ("short-breaks", "Short breaks, respite and carers' services", [
        ("respite-in-a-care-home", "Respite in a care home"),
        ("sitting-services", "Sitting services"),
        ("carers-support", "Support for carers"),
    ]),
    ("housing-with-support", "Housing with support", [
        ("sheltered-housing", "Sheltered housing"),
        ("extra-care-housing", "Extra care housing"),
        ("supported-living", "Supported living"),
        ("adult-placement", "Adult placement and shared lives"),
    ]),
    ("equipment-and-adaptations", "Equipment and adaptations", [
        ("mobility-aids", "Mobility aids"),
        ("home-adaptations", "Home adaptations"),
        ("telecare", "Telecare and alarms"),
    ]),
    ("health-and-therapy", "Health and therapy", [
        ("physiotherapy", "Physiotherapy"),
        ("occupational-therapy", "Occupational therapy"),
        ("counselling", "Counselling and mental health support"),
        ("chiropody", "Chiropody and foot care"),
    ]),
    ("transport", "Transport", [
        ("community-transport", "Community transport"),
        ("accessible-taxis", "Accessible taxis"),
    ]),
    ("finance-legal-professional", "Finance, legal and professional services", [
        ("benefits-advice", "Benefits advice"),
        ("power-of-attorney", "Power of attorney and wills"),
        ("payroll-services", "Payroll services for personal budgets"),
    ]),
    ("lifestyle-leisure-community", "Lifestyle, leisure, culture and community", [
        ("clubs-and-groups", "Clubs and groups"),
        ("sport-and-exercise", "Sport and exercise"),
        ("arts-and-culture", "Arts and culture"),
    ]),
    ("education-and-training", "Education and training", [
        ("courses-and-learning", "Courses and learning"),
        ("employment-support", "Employment support"),
    ]),
    ("repairs-and-maintenance", "Repairs and maintenance", [
        ("handyperson", "Handyperson services"),
        ("gardening", "Gardening"),
    ]),
    ("information-and-advice", "Information and advice", [
        ("advocacy", "Advocacy"),
        ("care-navigation", "Finding and arranging care"),
    ]),
]

CLIENT_GROUPS = [
    ("older-people", "Older people"),
    ("dementia", "People living with dementia"),
    ("learning-disabilities", "Adults with learning disabilities"),
    ("physical-disabilities", "Adults with physical disabilities"),
    ("sensory-impairment", "People with sensory impairment"),
    ("mental-health", "People with mental health problems"),
    ("autism", "Autistic people"),
    ("alcohol-and-drugs", "People who use alcohol or drugs"),
    ("children-and-young-people", "Children and young people"),
    ("carers", "Carers"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("directory", "Category")
    ClientGroup = apps.get_model("directory", "ClientGroup")
    for position, (slug, name, children) in enumerate(TAXONOMY, start=1):
        parent, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
        for child_position, (child_slug, child_name) in enumerate(children, start=1):
            Category.objects.get_or_create(
                slug=child_slug, defaults={"name": child_name, "parent": parent, "position": child_position}
            )
    for slug, name in CLIENT_GROUPS:
        ClientGroup.objects.get_or_create(slug=slug, defaults={"name": name})


def unseed(apps, schema_editor):
    # Leave the rows: services may already point at them.
    pass


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_regulator_registers")]

    operations = [migrations.RunPython(seed, unseed)]
