from django.db import migrations

from atiende.core.append_only import protect_table


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [protect_table("customers_customerevent"), protect_table("customers_consent")]
