from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Developer tools, not product code: the benchmarks (``make bench``) and the scale-data
    generator. No models and nothing mounted in the portal's URLs; listed after the product apps."""

    name = "devtools"
    verbose_name = _("Инструменты разработки")
