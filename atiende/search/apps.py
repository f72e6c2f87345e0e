from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_index(sender, using: str = "default", **kwargs) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it: put them back."""
    from django.db import connections

    from atiende.search.schema import ensure_index

    ensure_index(connections[using], repair_only=True)


class SearchConfig(AppConfig):
    name = "atiende.search"
    verbose_name = _("Búsqueda")

    def ready(self) -> None:
        post_migrate.connect(_restore_index, sender=self, dispatch_uid="search_restore_index")
