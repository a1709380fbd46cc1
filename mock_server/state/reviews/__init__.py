"""The reviews area: service reviews, company replies, tags, and consumer activity.

Reviews of a business unit carry a dense position ``pos`` in creation order (1 = oldest), so
the default listings (newest or oldest first) page by index range, not OFFSET: page 10,000
costs what page 1 costs. Other orders and filters fall back to OFFSET.
"""

from .install import INDEXES, install_business_unit, install_world
from .consumer import ConsumerReviews
from .ops import Reviews

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id TEXT NOT NULL, business_unit_id TEXT NOT NULL, pos INTEGER NOT NULL,
    stars INTEGER NOT NULL, title TEXT NOT NULL, text TEXT, language TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT, experienced_at TEXT,
    consumer_id TEXT NOT NULL, consumer_name TEXT NOT NULL, consumer_country TEXT,
    consumer_reviews INTEGER NOT NULL, location_id TEXT, verified INTEGER NOT NULL,
    likes INTEGER NOT NULL, source TEXT NOT NULL, reference_id TEXT, referral_email TEXT,
    invitation_id TEXT, reply_text TEXT, reply_author TEXT, reply_created_at TEXT,
    reply_updated_at TEXT, report TEXT);
""" + ";\n".join(INDEXES.values()) + """;
CREATE TABLE IF NOT EXISTS review_tags (
    review_id TEXT NOT NULL, grp TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (review_id, grp, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS review_tags_by_tag ON review_tags (grp, value);
CREATE TABLE IF NOT EXISTS review_counts (
    business_unit_id TEXT NOT NULL, stars INTEGER NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (business_unit_id, stars)) WITHOUT ROWID;
"""
TABLES = ("reviews", "review_tags", "review_counts")

__all__ = ["SCHEMA", "TABLES", "ConsumerReviews", "Reviews", "install_business_unit", "install_world"]
