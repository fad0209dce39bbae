"""Static files a browser keeps for a year and revalidates with a 304: WhiteNoise with a year's
`immutable` and weak ETags understood, and hashed names with DEBUG on too (`make run`).

Why weak ETags: kotan.infra.compression gzips a static file that WhiteNoise has no compressed copy of
(DEBUG, or STATIC_COMPRESS=0), and Django's GZipMiddleware then makes WhiteNoise's ETag weak (W/"…").
The browser sends that weak tag back in If-None-Match, and WhiteNoise compares the header's text with its
own strong tag, so every conditional request got the whole file again (200, issue 14). RFC 9110 says
If-None-Match compares weakly: StaticFilesMiddleware does so before WhiteNoise answers.

Why a storage of its own: Django's ManifestStaticFilesStorage gives unhashed URLs while DEBUG is on (so
that a changed file shows without collectstatic). `make run` collects the files first and sets
STATIC_HASHED=1, so its pages link the hashed names WhiteNoise serves as immutable, as in production.
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.utils.http import parse_etags
from whitenoise.middleware import WhiteNoiseMiddleware

YEAR_SECONDS = 365 * 24 * 60 * 60


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    FOREVER = YEAR_SECONDS  # Cache-Control of a hashed (immutable) file; WhiteNoise's own is ten years

    @staticmethod
    def serve(static_file, request):
        sent = request.META.get("HTTP_IF_NONE_MATCH")
        if sent:
            # W/"x" and "x" name the same file: answer with the tag WhiteNoise compares byte for byte
            wanted = static_file.etag.removeprefix("W/")
            tags = [tag.removeprefix("W/") for tag in parse_etags(sent)]
            if wanted in tags or "*" in tags:
                request.META["HTTP_IF_NONE_MATCH"] = static_file.etag
        return WhiteNoiseMiddleware.serve(static_file, request)


class HashedStaticFilesStorage(ManifestStaticFilesStorage):
    """The manifest's hashed names whether or not DEBUG is on (collectstatic must have run)."""

    def url(self, name, force=False):
        return super().url(name, force=True)
