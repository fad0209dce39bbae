"""Language selection: Bahasa Indonesia unless the user chose another language with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC set to English
would show KOTAN in English; BNN wants Indonesian by default, English only on request (a cookie).
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
