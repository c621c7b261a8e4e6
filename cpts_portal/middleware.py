"""Shared middleware: sessions renewed by activity without a write per request; a database lost in the middle of a
request (server restarted, connection cut) answers a clear page."""

import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a 503 page in French, rendered without touching the database.

    Nothing is half-written: every service runs in ``transaction.atomic()``, so the interrupted write was rolled
    back with the connection. The broken connection is closed so that the next request opens a new one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        for connection in connections.all(initialized_only=True):
            if connection.in_atomic_block:
                continue
            connection.close_if_unusable_or_obsolete()
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response


class SessionRenewalMiddleware:
    """Keep the inactivity expiry (``SESSION_COOKIE_AGE`` after the last request) without writing the session at
    every request, as ``SESSION_SAVE_EVERY_REQUEST`` did (one UPDATE and a commit per page, the main cost of a light
    page under load).

    A session is renewed (saved with a fresh expiry and a fresh cookie) once its last renewal is
    ``SESSION_RENEW_AFTER_SECONDS`` old: it then expires between ``SESSION_COOKIE_AGE - SESSION_RENEW_AFTER_SECONDS``
    and ``SESSION_COOKIE_AGE`` after the last request. Sits right after ``SessionMiddleware``, which saves what is
    marked modified. A request without a session cookie (the health probe, a first visit) loads nothing.
    """

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return response
        renewed_at = session.get(self.KEY)  # loads the session, already loaded when someone is logged in
        if session.session_key is None:  # the cookie named an unknown or expired session: nothing to renew
            return response
        now = int(time.time())
        if renewed_at is None or now - renewed_at >= settings.SESSION_RENEW_AFTER_SECONDS:
            session[self.KEY] = now
        return response
