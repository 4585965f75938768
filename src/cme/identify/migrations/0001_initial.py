# MatchDecision, moved here from cme.matching with its table (matching_matchdecision) as it was.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("matching", "0002_matchdecision_moves_to_identify"),
        ("intake", "0003_screening_findings"),
        ("people", "0003_name_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MatchDecision",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("decision", models.CharField(choices=[("confirmed", "This is the child"), ("rejected", "Not this child"), ("none", "The child is none of them: on no roll")], max_length=10)),
                        ("probability", models.FloatField(blank=True, null=True)),
                        ("explanation", models.JSONField(blank=True, default=list)),
                        ("placement", models.CharField(blank=True, choices=[("on_roll", "On roll"), ("home_education", "On the home-education list"), ("register_only", "Only on the register")], max_length=20)),
                        ("providers", models.JSONField(blank=True, default=list)),
                        ("decided_at", models.DateTimeField()),
                        ("child", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="people.child")),
                        ("decided_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("referral", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="match_decisions", to="intake.referral")),
                    ],
                    options={"ordering": ["decided_at", "id"], "db_table": "matching_matchdecision"},
                ),
            ],
            database_operations=[],
        ),
    ]
