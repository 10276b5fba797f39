"""Creates the seed stack's database at $SEED_DB with the movies of our catalog's database
(argv[1]): the same names, descriptions, active flags and creation times."""
import os
import sqlite3
import sys
from datetime import datetime, timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django  # noqa: E402

django.setup()
from django.db import connection, transaction  # noqa: E402

from catalog.models import Movie  # noqa: E402

with connection.schema_editor() as editor:
    editor.create_model(Movie)
source = sqlite3.connect(sys.argv[1])
rows = source.execute("SELECT name, description, active, created_at FROM movies ORDER BY seq")
# Plain executemany into the table Django made, in one transaction: bulk_create of 100,000
# models takes minutes.
with transaction.atomic(), connection.cursor() as cursor:
    cursor.executemany(
        f"INSERT INTO {Movie._meta.db_table} (name, description, active, created) VALUES (%s, %s, %s, %s)",
        (
            (name, description, bool(active), datetime.fromtimestamp(created / 1000, tz=timezone.utc).isoformat(" "))
            for name, description, active, created in rows
        ),
    )
print(Movie.objects.count())
