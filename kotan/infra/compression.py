"""Compressed pages for slow connections: a national dashboard is ~430 KB of HTML, ~50 KB gzipped.

Django's GZipMiddleware, which also pads each compressed body with random bytes ("Heal the BREACH"; the
CSRF token is masked per response as well), limited to text: PDF, XLSX and uploaded evidence are already
compressed or binary and would only cost CPU. Short responses (autosave's JSON) stay as they are.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
