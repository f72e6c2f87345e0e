"""The full-text index of the search app, per database vendor.

SQLite (the embedded default): FTS5 virtual tables with the ``unicode61 remove_diacritics 2``
tokenizer (case- and accent-insensitive), kept in step with their source tables by triggers:

- ``search_case_fts``: external content over ``cases_case`` (folio, summary, solution);
- ``search_message_fts``: external content over ``cases_message`` (subject, body_text);
- ``search_customer_fts``: own content, rowid = customer id (name, company, the values of the
  custom fields, where documents such as RFC/RUT live, and every identity address), rewritten
  by the triggers of ``customers_customer`` and ``customers_identity``.

PostgreSQL: the ``es_unaccent`` text search configuration (``spanish`` with ``unaccent`` before
the stemmer), GIN indexes on expressions of ``cases_case`` and ``customers_customer`` (name,
company and the string and number values of ``custom_fields``), and a generated
``search_vector`` column on ``cases_message`` (ranking long bodies must not re-parse them, and
it holds the id-block lexeme of ``MESSAGE_BUCKET``) with its GIN index. Nothing to keep in
step: PostgreSQL maintains both.

``ensure_index`` is idempotent. The migration calls it, and so does ``post_migrate``: SQLite
rebuilds a table to alter it, which drops its triggers, so they are put back after every migrate
(and the index rebuilt from its sources when one was missing).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

CONFIG = "es_unaccent"
# The indexed expressions: queries must spell them exactly so that the planner uses the indexes.
CASE_VECTOR = (
    f"to_tsvector('{CONFIG}'::regconfig, "
    "{t}.folio || ' ' || {t}.summary || ' ' || {t}.solution)"
)
CUSTOMER_VECTOR = (
    f"(to_tsvector('{CONFIG}'::regconfig, {{t}}.name || ' ' || {{t}}.company) || "
    f"jsonb_to_tsvector('{CONFIG}'::regconfig, {{t}}.custom_fields, '[\"string\", \"numeric\"]'))"
)
MESSAGE_VECTOR = "{t}.search_vector"
#: Messages also carry one lexeme naming their block of ids ("~w76" for ids 76 × 65536 onwards),
#: so that "the matches among the newest messages" is answered inside the GIN index: the heap is
#: visited only for the matches of the recent blocks, whatever the planner estimates.
MESSAGE_BUCKET = 65536
BUCKET_PREFIX = "~w"

FTS_TOKENIZER = "unicode61 remove_diacritics 2"

_SQLITE_TABLES = {
    "search_case_fts": (
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_case_fts USING fts5("
        "folio, summary, solution, content='cases_case', content_rowid='id', "
        f"tokenize='{FTS_TOKENIZER}')"
    ),
    "search_message_fts": (
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_message_fts USING fts5("
        "subject, body_text, content='cases_message', content_rowid='id', "
        f"tokenize='{FTS_TOKENIZER}')"
    ),
    "search_customer_fts": (
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_customer_fts USING fts5("
        f"name, company, documents, addresses, tokenize='{FTS_TOKENIZER}')"
    ),
}

_DOCUMENTS = """CASE WHEN json_valid(c.custom_fields) THEN COALESCE(
    (SELECT group_concat(value, ' ') FROM json_each(c.custom_fields)), '') ELSE '' END"""
_ADDRESSES = """COALESCE((SELECT group_concat(i.address, ' ') FROM customers_identity i
    WHERE i.customer_id = c.id), '')"""
_CUSTOMER_REFRESH = """
    DELETE FROM search_customer_fts WHERE rowid = {id};
    INSERT INTO search_customer_fts (rowid, name, company, documents, addresses)
        SELECT c.id, c.name, c.company, {documents}, {addresses}
        FROM customers_customer c WHERE c.id = {id};
"""


def _refresh(customer_id: str) -> str:
    return _CUSTOMER_REFRESH.format(id=customer_id, documents=_DOCUMENTS, addresses=_ADDRESSES)


_SQLITE_TRIGGERS = {
    "search_case_ai": """AFTER INSERT ON cases_case BEGIN
        INSERT INTO search_case_fts (rowid, folio, summary, solution)
        VALUES (new.id, new.folio, new.summary, new.solution);
    END""",
    "search_case_ad": """AFTER DELETE ON cases_case BEGIN
        INSERT INTO search_case_fts (search_case_fts, rowid, folio, summary, solution)
        VALUES ('delete', old.id, old.folio, old.summary, old.solution);
    END""",
    "search_case_au": """AFTER UPDATE OF folio, summary, solution ON cases_case BEGIN
        INSERT INTO search_case_fts (search_case_fts, rowid, folio, summary, solution)
        VALUES ('delete', old.id, old.folio, old.summary, old.solution);
        INSERT INTO search_case_fts (rowid, folio, summary, solution)
        VALUES (new.id, new.folio, new.summary, new.solution);
    END""",
    "search_message_ai": """AFTER INSERT ON cases_message BEGIN
        INSERT INTO search_message_fts (rowid, subject, body_text)
        VALUES (new.id, new.subject, new.body_text);
    END""",
    "search_message_ad": """AFTER DELETE ON cases_message BEGIN
        INSERT INTO search_message_fts (search_message_fts, rowid, subject, body_text)
        VALUES ('delete', old.id, old.subject, old.body_text);
    END""",
    "search_message_au": """AFTER UPDATE OF subject, body_text ON cases_message BEGIN
        INSERT INTO search_message_fts (search_message_fts, rowid, subject, body_text)
        VALUES ('delete', old.id, old.subject, old.body_text);
        INSERT INTO search_message_fts (rowid, subject, body_text)
        VALUES (new.id, new.subject, new.body_text);
    END""",
    "search_customer_ai": "AFTER INSERT ON customers_customer BEGIN" + _refresh("new.id") + "END",
    "search_customer_au": "AFTER UPDATE OF name, company, custom_fields ON customers_customer "
    "BEGIN" + _refresh("new.id") + "END",
    "search_customer_ad": """AFTER DELETE ON customers_customer BEGIN
        DELETE FROM search_customer_fts WHERE rowid = old.id;
    END""",
    "search_identity_ai": "AFTER INSERT ON customers_identity BEGIN"
    + _refresh("new.customer_id")
    + "END",
    "search_identity_ad": "AFTER DELETE ON customers_identity BEGIN"
    + _refresh("old.customer_id")
    + "END",
    "search_identity_au": "AFTER UPDATE ON customers_identity BEGIN"
    + _refresh("old.customer_id")
    + _refresh("new.customer_id")
    + "END",
}

_SQLITE_REBUILD = [
    "INSERT INTO search_case_fts (search_case_fts) VALUES ('rebuild')",
    "INSERT INTO search_message_fts (search_message_fts) VALUES ('rebuild')",
    "DELETE FROM search_customer_fts",
    "INSERT INTO search_customer_fts (rowid, name, company, documents, addresses) "
    f"SELECT c.id, c.name, c.company, {_DOCUMENTS}, {_ADDRESSES} FROM customers_customer c",
]

_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = spanish);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
        END IF;
    END $$""",
    "CREATE INDEX IF NOT EXISTS search_case_vector ON cases_case USING gin "
    f"(({CASE_VECTOR.format(t='cases_case')}))",
    "CREATE INDEX IF NOT EXISTS search_customer_vector ON customers_customer USING gin "
    f"(({CUSTOMER_VECTOR.format(t='customers_customer')}))",
    "ALTER TABLE cases_message ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS "
    f"AS (to_tsvector('{CONFIG}'::regconfig, subject || ' ' || body_text) || "
    f"array_to_tsvector(ARRAY['{BUCKET_PREFIX}' || (id / {MESSAGE_BUCKET})::text])) STORED",
    "CREATE INDEX IF NOT EXISTS search_message_vector ON cases_message USING gin (search_vector)",
]

_POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_message_vector",
    "ALTER TABLE cases_message DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS search_customer_vector",
    "DROP INDEX IF EXISTS search_case_vector",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}",
]


def ensure_index(connection: BaseDatabaseWrapper, *, repair_only: bool = False) -> None:
    """Create whatever part of the index is missing on CONNECTION's database.

    REPAIR_ONLY (after a migrate): only put back the SQLite triggers of an index that exists, so
    that a database migrated back before the search app stays without one."""
    if repair_only and connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            present = {row[0] for row in cursor.fetchall()}
            if repair_only and "search_case_fts" not in present:
                return
            missing = (set(_SQLITE_TABLES) | set(_SQLITE_TRIGGERS)) - present
            if not missing:
                return
            for statement in _SQLITE_TABLES.values():
                cursor.execute(statement)
            for name, body in _SQLITE_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
            for statement in _SQLITE_REBUILD:
                cursor.execute(statement)
        elif connection.vendor == "postgresql":
            for statement in _POSTGRES:
                cursor.execute(statement)


def drop_index(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for name in _SQLITE_TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for statement in _POSTGRES_DROP:
                cursor.execute(statement)
