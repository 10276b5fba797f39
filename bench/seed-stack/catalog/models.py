from django.db import models


class Movie(models.Model):
    """The seed's Movie, with an index on the column the list is ordered by."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "catalog"
