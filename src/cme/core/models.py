from django.db import models


class Sequence(models.Model):
    """Named counters for human-readable references (R901-000123), safe under concurrency."""

    name = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
