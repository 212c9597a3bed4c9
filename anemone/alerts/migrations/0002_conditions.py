"""Problems are named by a key (runs' and watches' alike) and may come from a watch; channels get warnings."""

from django.db import migrations, models


def name_run_problems(apps, schema_editor):
    Problem = apps.get_model("alerts", "Problem")
    for problem in Problem.objects.all():
        problem.key = f"run:{problem.kind}:{problem.target_id}"
        problem.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_channels_and_problems")]

    operations = [
        migrations.RemoveConstraint(model_name="problem", name="one_problem_per_target"),
        migrations.AddField(model_name="problem", name="key",
                            field=models.CharField(max_length=200, null=True, verbose_name="problem")),
        migrations.RunPython(name_run_problems, migrations.RunPython.noop),
        migrations.AlterField(model_name="problem", name="key",
                              field=models.CharField(max_length=200, unique=True, verbose_name="problem")),
        migrations.AddField(model_name="problem", name="watch", field=models.CharField(
            blank=True, db_index=True, help_text="Empty for a run's problem; else the watch that reported it.",
            max_length=32, verbose_name="watch")),
        migrations.AddField(model_name="problem", name="finding", field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="alertchannel", name="on_warnings", field=models.BooleanField(
            default=True, help_text="A backup is late, a peer is unreachable or silent, a disk is nearly full or "
                                    "failing, a restore drill failed.", verbose_name="warnings")),
    ]
