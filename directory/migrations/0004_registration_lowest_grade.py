from django.db import migrations, models


def backfill(apps, schema_editor):
    # Rows imported before this field existed: an unchanged register row is never
    # rewritten by the importer, so compute the value here once.
    from directory.models.regulator import lowest_grade_six_point

    Registration = apps.get_model("directory", "Registration")
    changed = []
    for registration in Registration.objects.exclude(grades={}).only("pk", "regulator", "grades").iterator():
        registration.lowest_grade = lowest_grade_six_point(registration.regulator, registration.grades)
        changed.append(registration)
    Registration.objects.bulk_update(changed, ["lowest_grade"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_taxonomy")]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="lowest_grade",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Lowest grade on the six-point scale (see lowest_grade_six_point), for search",
                null=True,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
