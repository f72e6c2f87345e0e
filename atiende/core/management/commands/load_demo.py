"""``load_demo [--seed N] [--reset]``: fill the desk with Spanish demo data through the services.

About 200 cases over the last 60 days, 40 customers, the four demo teams and one user per role,
all with the password ``atiende-demo``. A second run does nothing (the demo is already there);
``--reset`` erases every case and customer of the database and the demo staff, then loads again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from atiende.accounts.models import Role
from atiende.demo.loader import DemoAlreadyLoaded, DemoError, demo_is_loaded, load_demo
from atiende.demo.people import DEMO_PASSWORD, STAFF, TEAMS


class Command(BaseCommand):
    help = "Carga datos de demostración en español (≈200 casos) a través de los servicios."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=1, help="Semilla: la misma semilla da los mismos datos."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Borra TODOS los casos y clientes de esta base y el personal de la demo, y "
                "vuelve a cargar."
            ),
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="No pedir confirmación para --reset.",
        )

    def handle(self, *args: Any, seed: int, reset: bool, interactive: bool, **options: Any) -> None:
        if reset and interactive and demo_is_loaded():
            answer = input(
                "--reset borrará TODOS los casos, clientes, mensajes y eventos de esta base de "
                "datos "
                "y los usuarios de la demo. Escriba «si» para continuar: "
            )
            if answer.strip().lower() not in ("si", "sí", "yes"):
                raise CommandError("Cancelado; no se borró nada.")
        try:
            result = load_demo(seed=seed, reset=reset)
        except DemoAlreadyLoaded:
            self.stdout.write(
                "Los datos de demostración ya están cargados; no se hizo nada. "
                "Use --reset para borrarlos y cargarlos de nuevo."
            )
            self._print_logins()
            return
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo cargada en {result.seconds:.1f} s: {result.cases} casos, "
                f"{result.customers} clientes, "
                f"{result.messages} mensajes, {result.events} eventos (semilla {seed})."
            )
        )
        self._print_logins()

    def _print_logins(self) -> None:
        teams = {t.slug: t.name for t in TEAMS}
        self.stdout.write(f"\nAccesos de demostración (contraseña para todos: {DEMO_PASSWORD}):")
        self.stdout.write(f"  {'usuario':<9} {'rol':<32} {'contraseña':<13} equipos")
        for spec in STAFF:
            self.stdout.write(
                f"  {spec.username:<9} {str(Role(spec.role).label):<32} {DEMO_PASSWORD:<13} "
                f"{', '.join(teams[s] for s in spec.teams) or '(todos; administrador)'}"
            )
