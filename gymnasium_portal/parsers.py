"""The API's JSON parser: a body nested too deeply is bad input (400), not a server error.

Python's ``json`` decoder recurses once per ``[`` or ``{``; a body of a hundred thousand ``[``
(a few hundred kilobytes, from anyone: ``/api/v1/auth/token/`` takes anonymous requests) exceeds
the recursion limit, and DRF's parser, catching only ``ValueError``, let the ``RecursionError``
answer 500. No body the API accepts is nested more than a few levels.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class PortalJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("Ошибка разбора JSON: слишком глубокая вложенность.")) from None
