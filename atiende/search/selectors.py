"""Search across cases, customers and messages (UI7), scoped by the permission filters.

Each group is searched with the full-text index of the database (``schema.py``):

- on SQLite, FTS5 ``MATCH`` with every term as a prefix of its stem-ish start, ranked by bm25;
- on PostgreSQL, ``plainto_tsquery('es_unaccent', q)`` (every word required), ranked by
  ``ts_rank_cd`` among the newest ``CANDIDATES`` matches (a term found in a fifth of five million
  messages must not rank them all; a desk wants recent records first anyway).

Permissions are never re-implemented here: the WHERE clause of ``cases_visible_to(user)`` and of
``customers_visible_to(user)`` is compiled into the search query, and messages are searched
only in visible cases. One query per group fetches the ids of its best ``CANDIDATES`` matches
(and one more, to tell "200" from "more than 200"); the page shown is a slice of them.
``bench/console.py`` times these queries on a desk of millions of messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils.safestring import SafeString

from atiende.accounts.models import User
from atiende.cases.models import Case, Message
from atiende.cases.selectors import cases_visible_to
from atiende.customers.models import Customer
from atiende.customers.selectors import customers_visible_to
from atiende.search import schema
from atiende.search.highlight import snippet, stems

MIN_QUERY_CHARS = 2
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
PAGE_SIZE = 20
PREVIEW_SIZE = 5
CANDIDATES = 200
KINDS = ("cases", "customers", "messages")
#: PostgreSQL: the windows of newest ids in which matches are looked for, as table fractions.
WINDOWS = (1 / 32, 1 / 4, 1)
MIN_WINDOW = 20_000

_TERM = re.compile(r"\w+")


def query_terms(q: str) -> list[str]:
    """The words of Q, lower-cased, without duplicates, at most MAX_TERMS."""
    terms: list[str] = []
    for term in _TERM.findall(q.lower()):
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


@dataclass
class Hit:
    obj: Any
    snippet: SafeString


@dataclass
class Group:
    kind: str
    count: int = 0
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    has_next: bool = False

    @property
    def count_is_capped(self) -> bool:
        return self.count > CANDIDATES

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def reached_limit(self) -> bool:
        """The last reachable page, with more matches beyond it."""
        return not self.has_next and self.page * PAGE_SIZE >= CANDIDATES < self.count


@dataclass
class Results:
    q: str
    terms: list[str]
    groups: dict[str, Group]

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups.values())


def search(
    user: User,
    q: str,
    *,
    kind: str | None = None,
    page: int = 1,
) -> Results:
    """Search Q for USER: every group's count and either a preview of each group or, with KIND,
    one page of that group."""
    terms = query_terms(q)
    query = Query(q, terms)
    groups = {name: Group(kind=name) for name in KINDS}
    if not terms:
        return Results(q=q, terms=terms, groups=groups)
    page = max(1, min(page, CANDIDATES // PAGE_SIZE))
    case_scope = _scope(cases_visible_to(user))
    scopes = {
        "cases": case_scope,
        "messages": case_scope,
        # A merged customer lives on in the one it was merged into.
        "customers": _scope(customers_visible_to(user).filter(merged_into__isnull=True)),
    }
    id_ranges = _id_ranges() if connection.vendor == "postgresql" else {}
    for name, group in groups.items():
        scope = scopes[name]
        if scope is None:  # the user may see nothing of this kind
            continue
        search_group = _GROUPS[name]
        ranked = search_group.ranked_ids(scope, query, id_ranges.get(search_group.table, (0, 0)))
        group.count = len(ranked)
        if ranked and kind in (None, name):
            size = PAGE_SIZE if kind else PREVIEW_SIZE
            group.page = page if kind else 1
            offset = (group.page - 1) * size
            reachable = ranked[:CANDIDATES]
            group.has_next = offset + size < len(reachable)
            group.hits = search_group.hits(reachable[offset : offset + size], terms)
    return Results(q=q, terms=terms, groups=groups)


# --- the SQL of each group -----------------------------------------------------------------------


Scope = tuple[str, list[Any]]


def _scope(queryset: QuerySet) -> Scope | None:
    """A condition on QUERYSET's table (by its own name) equivalent to its filter: "" if it has
    none, None if it can match nothing."""
    query = queryset.query
    if not query.where:
        return "", []
    compiler = query.get_compiler(connection=connection)
    table = queryset.model._meta.db_table
    try:
        joined = {alias for alias in query.alias_map if query.alias_refcount.get(alias)}
        if joined <= {table}:  # no joins in use: inline the WHERE clause
            sql, params = compiler.compile(query.where)
            return sql, list(params)
        sub, params = queryset.values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    return f'"{table}"."id" IN ({sub})', list(params)


def _id_ranges() -> dict[str, tuple[int, int]]:
    """The lowest and highest id of each searched table (index end points: one cheap query)."""
    tables = [group.table for group in _GROUPS.values()]
    parts = ", ".join(f"(SELECT min(id) FROM {t}), (SELECT max(id) FROM {t})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return {t: (row[2 * n] or 0, row[2 * n + 1] or 0) for n, t in enumerate(tables)}


def _buckets(since: int, until: int) -> str:
    """A tsquery matching the messages whose id lies in the id blocks from SINCE to UNTIL."""
    size, prefix = schema.MESSAGE_BUCKET, schema.BUCKET_PREFIX
    return " | ".join(f"'{prefix}{block}'" for block in range(since // size, until // size + 1))


def _and(*conditions: str) -> str:
    return " AND ".join(f"({c})" for c in conditions if c)


def _fts_match(terms: list[str]) -> str:
    """An FTS5 query: every term required, as a prefix of its stem-ish start (PostgreSQL stems;
    FTS5 has no Spanish stemmer, so "créditos" looks for words starting with "credit").
    Terms are \\w+: nothing to escape."""
    return " ".join(f'"{prefix}"*' for prefix in stems(terms))


@dataclass
class Query:
    """What the user typed, and its words."""

    text: str
    terms: list[str]

    @property
    def tsquery_text(self) -> str:
        """The text for ``plainto_tsquery``: PostgreSQL's own parser splits it as it split the
        documents (e-mail addresses and hosts stay whole); every lexeme is required."""
        return self.text[:MAX_QUERY_CHARS]


def _fetch(sql: str, params: list[Any]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


class _SearchGroup:
    """One kind of record: where it lives in the index and how its rows are scoped."""

    table: str
    fts_table: str
    fts_join: str  # SQLite: how the FTS rows reach TABLE's rows
    vector: str  # PostgreSQL: the indexed tsvector expression, on {t}
    model: type[Model]

    #: A join that the scope's condition needs (messages are scoped through their case).
    scope_join = ""
    #: Whether the vector holds the id-block lexemes of ``schema.MESSAGE_BUCKET``.
    has_buckets = False

    def _from(
        self, scope: Scope, query: Query, window: tuple[int, int] | None = None
    ) -> tuple[str, list]:
        """FROM ... WHERE ... selecting the matches in SCOPE (with an id in WINDOW)."""
        scope_sql, scope_params = scope
        join = self.scope_join if scope_sql else ""
        if connection.vendor == "sqlite":
            where = _and(f"{self.fts_table} MATCH %s", scope_sql)
            return (
                f"FROM {self.fts_table} {self.fts_join} {join} WHERE {where}",
                [_fts_match(query.terms), *scope_params],
            )
        vector = self.vector.format(t=self.table)
        conditions = [f"{vector} @@ plainto_tsquery('{schema.CONFIG}', %s)"]
        params: list[Any] = [query.tsquery_text]
        if window is not None:
            conditions.append(f"{self.table}.id >= {int(window[0])}")
            if self.has_buckets:
                conditions.append(f"{vector} @@ %s::tsquery")
                params.append(_buckets(*window))
        where = _and(*conditions, scope_sql)
        return f"FROM {self.table} {join} WHERE {where}", [*params, *scope_params]

    def ranked_ids(self, scope: Scope, query: Query, id_range: tuple[int, int]) -> list[int]:
        """Ids of the best CANDIDATES + 1 matches, best first.

        On PostgreSQL, the newest matches are looked for in growing windows of ids (the newest
        1/32 of the table, then 1/4, then all; a small table in one go): a frequent word is
        ranked among its recent matches without visiting the older ones, a rare word costs one
        or two more index scans. Literal bounds let the planner weigh the window against the
        word's frequency."""
        if connection.vendor == "sqlite":
            source, params = self._from(scope, query)
            sql = (
                f"SELECT {self.table}.id {source} ORDER BY {self.fts_table}.rank, "
                f"{self.table}.id DESC LIMIT {CANDIDATES + 1}"
            )
            return _fetch(sql, params)
        lowest, highest = id_range
        span = highest - lowest
        ids: list[int] = []
        for fraction in WINDOWS:
            if fraction < 1 and span * fraction < MIN_WINDOW:
                continue  # a small table: one query over all of it is cheap
            window = (highest - int(span * fraction), highest) if fraction < 1 else None
            source, params = self._from(scope, query, window)
            vector = self.vector.format(t=self.table)
            # "+ 0" keeps the planner off a backward walk of the primary key: it may pick one
            # for words it wrongly believes frequent and then walk the whole table (or window),
            # re-parsing every row where the vector is an expression. Only the stored message
            # vectors, cheap to test, may be walked, and only within a window.
            walk = window is not None and self.has_buckets
            order = f"{self.table}.id DESC" if walk else f"{self.table}.id + 0 DESC"
            sql = (
                f"SELECT id FROM (SELECT {self.table}.id, {vector} AS vector {source} "
                f"ORDER BY {order} LIMIT {CANDIDATES + 1}) candidates "
                f"ORDER BY ts_rank_cd(vector, plainto_tsquery('{schema.CONFIG}', %s)) DESC, "
                "id DESC"
            )
            ids = _fetch(sql, [*params, query.tsquery_text])
            if len(ids) > CANDIDATES:
                break
        return ids

    def hits(self, ids: list[int], terms: list[str]) -> list[Hit]:
        raise NotImplementedError


class _Cases(_SearchGroup):
    table = "cases_case"
    fts_table = "search_case_fts"
    fts_join = "JOIN cases_case ON cases_case.id = search_case_fts.rowid"
    vector = schema.CASE_VECTOR

    def hits(self, ids: list[int], terms: list[str]) -> list[Hit]:
        cases = Case.objects.select_related("customer", "team", "assignee").in_bulk(ids)
        return [
            Hit(cases[pk], snippet(f"{cases[pk].summary} {cases[pk].solution}", terms))
            for pk in ids
            if pk in cases
        ]


class _Customers(_SearchGroup):
    table = "customers_customer"
    fts_table = "search_customer_fts"
    fts_join = "JOIN customers_customer ON customers_customer.id = search_customer_fts.rowid"
    vector = schema.CUSTOMER_VECTOR

    def hits(self, ids: list[int], terms: list[str]) -> list[Hit]:
        customers = Customer.objects.prefetch_related("identities").in_bulk(ids)
        return [_customer_hit(customers[pk], terms) for pk in ids if pk in customers]


def _customer_hit(customer: Customer, terms: list[str]) -> Hit:
    addresses = " ".join(identity.address for identity in customer.identities.all())
    text = " · ".join(part for part in (customer.name, customer.company, addresses) if part)
    return Hit(customer, snippet(text, terms))


class _Messages(_SearchGroup):
    table = "cases_message"
    fts_table = "search_message_fts"
    fts_join = "JOIN cases_message ON cases_message.id = search_message_fts.rowid"
    scope_join = "JOIN cases_case ON cases_case.id = cases_message.case_id"
    vector = schema.MESSAGE_VECTOR
    has_buckets = True

    def hits(self, ids: list[int], terms: list[str]) -> list[Hit]:
        messages = (
            Message.objects.select_related("case", "case__customer")
            .only(
                "id",
                "direction",
                "channel",
                "subject",
                "body_text",
                "created_at",
                "case__folio",
                "case__summary",
                "case__customer__name",
                "case__customer__company",
                "case__customer__uuid",
            )
            .in_bulk(ids)
        )
        return [
            Hit(messages[pk], snippet(f"{messages[pk].subject} {messages[pk].body_text}", terms))
            for pk in ids
            if pk in messages
        ]


_GROUPS: dict[str, _SearchGroup] = {
    "cases": _Cases(),
    "customers": _Customers(),
    "messages": _Messages(),
}
