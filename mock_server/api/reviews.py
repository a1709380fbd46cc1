"""Service reviews: public and private lists, single reviews, replies and tags."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)
