# The officers' decisions moved to cme.identify (issue 9's floors): the table stays, only
# Django's idea of which app owns it changes.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("matching", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="MatchDecision")],
            database_operations=[],
        ),
    ]
