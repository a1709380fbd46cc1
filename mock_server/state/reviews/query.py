"""Finding a page of a business unit's reviews: the filters, the orders, and the fast path.

Unfiltered listings in creation order read a range of the dense ``pos`` index, whatever the
page number; hidden (reported) reviews are stepped over by counting them through a small
partial index. Every other filter or order is a WHERE clause with LIMIT/OFFSET.
"""

from dataclasses import dataclass

ORDERS = {"createdat.desc": "pos DESC", "createdat.asc": "pos ASC",
          "stars.desc": "stars DESC, pos DESC", "stars.asc": "stars ASC, pos DESC"}
# Across business units (a consumer's reviews) positions do not compare: creation time does.
ACROSS_UNITS = {"createdat.desc": "created_at DESC, id DESC", "createdat.asc": "created_at ASC, id ASC",
                "stars.desc": "stars DESC, created_at DESC, id DESC",
                "stars.asc": "stars ASC, created_at DESC, id DESC"}


@dataclass(frozen=True)
class ReviewFilter:
    unit_id: str | None                   # None: every unit's (a consumer's reviews)
    stars: tuple = ()
    languages: tuple = ()
    location_id: str | None = None
    tag_group: str | None = None
    tag_value: str | None = None
    ignore_tag_value_case: bool = False
    responded: bool | None = None
    reported: bool | None = None          # None: both; False: hide reported reviews (public default)
    start: str | None = None              # created_at >= start (ISO, Z)
    end: str | None = None                # created_at < end
    reference_id: str | None = None
    referral_email: str | None = None
    source: str | None = None
    username: str | None = None
    find_reviewer: str | None = None      # 'contacted' | 'notContacted'
    consumer_id: str | None = None

    @property
    def only_hides_reported(self):
        """True when the filter is at most 'hide reported reviews': the fast path applies."""
        plain = ReviewFilter(self.unit_id, reported=self.reported)
        return self == plain and self.unit_id is not None and self.reported in (None, False)


def page_of_reviews(db, where, order, page, per_page):
    """(rows, has_more) for a 1-based page; fetches one row extra to know if more follow."""
    if where.only_hides_reported and order in ("createdat.desc", "createdat.asc"):
        rows = _by_position(db, where, order, (page - 1) * per_page, per_page + 1)
    else:
        clause, params = _where(where)
        sql_order = (ORDERS if where.unit_id is not None else ACROSS_UNITS)[order]
        rows = db.execute(f"SELECT * FROM reviews WHERE {clause} ORDER BY {sql_order} LIMIT ? OFFSET ?",
                          (*params, per_page + 1, (page - 1) * per_page)).fetchall()
    return rows[:per_page], len(rows) > per_page


def reviews_before(db, unit_id, before_pos, count):
    """Newest first, strictly older than ``before_pos`` (the all-reviews page token); all reviews."""
    return db.execute("SELECT * FROM reviews WHERE business_unit_id = ? AND pos < ? ORDER BY pos DESC LIMIT ?",
                      (unit_id, before_pos, count)).fetchall()


def _by_position(db, where, order, skip, count):
    hidden = _hidden_positions(db, where.unit_id) if where.reported is False else []
    clause = "business_unit_id = ? AND report IS NULL" if where.reported is False else "business_unit_id = ?"
    if order == "createdat.desc":
        top = db.execute("SELECT max(pos) FROM reviews WHERE business_unit_id = ?", (where.unit_id,)).fetchone()[0] or 0
        bound = _fixed_point(lambda u: top - skip - sum(1 for p in hidden if p > u), top - skip)
        sql = f"SELECT * FROM reviews WHERE {clause} AND pos <= ? ORDER BY pos DESC LIMIT ?"
    else:
        bound = _fixed_point(lambda low: skip + 1 + sum(1 for p in hidden if p < low), skip + 1)
        sql = f"SELECT * FROM reviews WHERE {clause} AND pos >= ? ORDER BY pos ASC LIMIT ?"
    return db.execute(sql, (where.unit_id, bound, count)).fetchall()


def _fixed_point(step, start):
    """Iterate ``step`` until it settles; monotone, so at most len(hidden) + 1 steps."""
    value = start
    while True:
        following = step(value)
        if following == value:
            return value
        value = following


def _hidden_positions(db, unit_id):
    return [row[0] for row in db.execute(
        "SELECT pos FROM reviews WHERE business_unit_id = ? AND report IS NOT NULL", (unit_id,))]


def _where(where):
    clauses, params = [], []

    def add(sql, *values):
        clauses.append(sql)
        params.extend(values)

    if where.unit_id is not None:
        add("business_unit_id = ?", where.unit_id)
    if where.consumer_id is not None:
        add("consumer_id = ?", where.consumer_id)

    if where.stars:
        add(f"stars IN ({','.join('?' * len(where.stars))})", *where.stars)
    if where.languages:
        add(f"language IN ({','.join('?' * len(where.languages))})", *where.languages)
    if where.location_id:
        add("location_id = ?", where.location_id)
    if where.responded is not None:
        add("reply_created_at IS NOT NULL" if where.responded else "reply_created_at IS NULL")
    if where.reported is not None:
        add("report IS NOT NULL" if where.reported else "report IS NULL")
    if where.start:
        add("created_at >= ?", where.start)
    if where.end:
        add("created_at < ?", where.end)
    for column, value in (("reference_id", where.reference_id), ("referral_email", where.referral_email),
                          ("source", where.source), ("consumer_name", where.username)):
        if value is not None:
            add(f"{column} = ?", value)
    if where.tag_group or where.tag_value:
        _tag_clause(where, add)
    if where.find_reviewer == "contacted":
        add("0")  # no find-reviewer request has been sent in the sandbox: nobody was contacted
    return " AND ".join(clauses) or "1", params


def _tag_clause(where, add):
    value_sql = "lower(value) = lower(?)" if where.ignore_tag_value_case else "value = ?"
    parts, values = [], []
    if where.tag_group:
        parts.append("grp = ?")
        values.append(where.tag_group)
    if where.tag_value:
        parts.append(value_sql)
        values.append(where.tag_value)
    add(f"id IN (SELECT review_id FROM review_tags WHERE {' AND '.join(parts)})", *values)
