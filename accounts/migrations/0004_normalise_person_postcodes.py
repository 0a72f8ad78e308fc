"""Put every stored person's postcode in the usual form ("g128qq" → "G12 8QQ").

Until now sign-up and the profile page stored what was typed, upper-cased and
trimmed, so "G128QQ" and "G12 8QQ" both occur; commissioning cuts the district at
the space and missed the first. From now on accounts stores the normal form
(carehub.postcodes.normalise_postcode); this brings older rows into line.

A stored value that is not a real postcode is left as it is: guessing would put a
person in the wrong place, and blanking it would lose what they typed. Such rows
are counted in the output of `migrate`; the person is asked for a real postcode
the next time they save their details, and until then commissioning counts them
as a budget holder with no known district. Blank stays blank (no postcode given).
Re-running changes nothing; there is nothing to undo.
"""

from django.db import migrations

from carehub.postcodes import InvalidPostcode, normalise_postcode

BATCH = 1_000


def normalise(apps, schema_editor, *, out=print):
    PersonProfile = apps.get_model("accounts", "PersonProfile")
    changed = invalid = last = 0
    while True:
        # Pages by id rather than one open cursor, so that the updates never run under it.
        page = list(PersonProfile.objects.filter(pk__gt=last).exclude(postcode="").order_by("pk")[:BATCH])
        if not page:
            break
        last = page[-1].pk
        moved = []
        for profile in page:
            try:
                usual = normalise_postcode(profile.postcode)
            except InvalidPostcode:
                invalid += 1
                continue
            if usual != profile.postcode:
                profile.postcode = usual
                moved.append(profile)
        PersonProfile.objects.bulk_update(moved, ["postcode"])
        changed += len(moved)
    if changed or invalid:
        out(
            f"\n  Person postcodes: {changed} put in the usual form, {invalid} left as they are "
            "(not a real postcode: the person is asked again when they next save their details)."
        )
    return changed, invalid


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_outbox_addresses_and_kinds"),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
