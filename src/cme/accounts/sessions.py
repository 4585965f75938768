"""Django's database sessions, read with one plain query.

Every signed-in request reads its session; building that one query through the ORM cost more
than running it. The same row is read under the same rule (the key, not yet expired), and
writing, expiry and clearing are Django's own (SESSION_ENGINE = "cme.accounts.sessions").
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        if key is None:
            return None
        model = self.model
        using = router.db_for_read(model)
        connection = connections[using]
        quote = connection.ops.quote_name
        meta = model._meta
        columns = [meta.get_field(name).column for name in ("session_key", "session_data", "expire_date")]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(columns[1])} FROM {quote(meta.db_table)}"  # noqa: S608 - names from the model
                f" WHERE {quote(columns[0])} = %s AND {quote(columns[2])} > %s",
                [key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])
