"""A database lost in the middle of a request (server restarted, connection cut) answers a clear page."""

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
