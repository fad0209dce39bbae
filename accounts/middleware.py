"""TwoFactorMiddleware: a signed-in user who still owes the second factor reaches only the code pages.

After AuthenticationMiddleware and django-otp's OTPMiddleware (settings.MIDDLEWARE). Every view of the
site, the Django admin included, answers such a user with a redirect to the code page (which sends on to
the setup page when there is no authenticator yet), or for fetch() calls (autosave, the API, the
notification badge) with JSON 401 in Indonesian. Open to them: the code and setup pages, logging in and
out, the language switch, /healthz and /readyz, the field kit's service worker, manifest and offline
page (no data), and the respondent pages under /r/ (no login there).
Static files never get here (WhiteNoise answers them first).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import redirect

from kotan.lib.http import AUTOSAVE_URL_NAMES, wants_json

from . import two_factor

OPEN_VIEWS = {
    "two_factor:verify",
    "two_factor:setup",
    "login",
    "logout",
    "admin:logout",
    "set_language",
    "healthz",
    "readyz",
    # The installable app's files, no data in them (like static files): the service worker a page
    # registers, the manifest and the offline page. A redirect would make the browser refuse the worker.
    "service_worker",
    "web_manifest",
    "assessments:fieldkit_offline",
}
OPEN_NAMESPACES = {"respondent"}
JSON_NAMESPACES = {"api"}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            match.view_name in OPEN_VIEWS
            or match.namespace in OPEN_NAMESPACES
            or view_func in two_factor.VIEWS_CHECKING_THEMSELVES
            or not two_factor.code_missing(request)
        ):
            return None
        if wants_json(request) or match.view_name in AUTOSAVE_URL_NAMES or match.namespace in JSON_NAMESPACES:
            return two_factor.json_refusal()
        # Back to the page asked for after the code; a form sent without the code is not sent again.
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        return redirect(two_factor.verify_url(next_url))
