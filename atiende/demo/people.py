"""Who works at the demo desk and who writes to it.

The desk is Grupo Alameda's customer service: a real-estate developer in Mexico and Chile with
sales rooms (leads from the information centre go to the sales force, as in the service maps),
post-sale technical service (warranty, failures in delivered homes), payments and invoicing,
and a complaints team that deals with PROFECO (Mexico) and SERNAC (Chile) mentions.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from atiende.accounts.models import Role

#: The one documented demo password (README and the command's output say it too).
DEMO_PASSWORD = "atiende-demo"

#: The desk's company e-mail domain.
DOMAIN = "grupoalameda.mx"


@dataclass(frozen=True)
class TeamSpec:
    slug: str
    name: str
    email: str
    lead: str  # username


TEAMS = [
    TeamSpec("centro-informacion", "Centro de información", f"informacion@{DOMAIN}", "sofia"),
    TeamSpec("fuerza-ventas", "Fuerza de ventas", f"ventas@{DOMAIN}", "diego"),
    TeamSpec("servicio-tecnico", "Servicio técnico", f"servicio.tecnico@{DOMAIN}", "ivan"),
    TeamSpec("reclamos", "Reclamos", f"reclamos@{DOMAIN}", "gerardo"),
]
INTAKE_TEAM = "centro-informacion"


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    teams: tuple[str, ...]
    is_admin: bool = False


STAFF = [
    StaffSpec("ana", "Ana", "Martínez Ruiz", Role.AGENT, ("centro-informacion", "reclamos")),
    StaffSpec("beto", "Alberto", "Ramírez Soto", Role.AGENT, ("centro-informacion",)),
    StaffSpec(
        "carla", "Carla", "Fuentes Araya", Role.AGENT, ("centro-informacion", "servicio-tecnico")
    ),
    StaffSpec(
        "sofia",
        "Sofía",
        "Hernández Lozano",
        Role.SUPERVISOR,
        ("centro-informacion", "reclamos", "servicio-tecnico"),
    ),
    StaffSpec(
        "gerardo",
        "Gerardo",
        "Treviño Garza",
        Role.OPERATIONS_MANAGER,
        ("reclamos", "servicio-tecnico", "centro-informacion"),
    ),
    StaffSpec(
        "lucia", "Lucía", "Olmos Paredes", Role.SERVICE_COORDINATOR, tuple(t.slug for t in TEAMS)
    ),
    StaffSpec("ivan", "Iván", "Castillo Mena", Role.TECHNICAL_ENGINEER, ("servicio-tecnico",)),
    StaffSpec("diego", "Diego", "Salinas Cortés", Role.COMMERCIAL_DIRECTOR, ("fuerza-ventas",)),
    StaffSpec("paola", "Paola", "Rivas Delgado", Role.SALES_ADVISOR, ("fuerza-ventas",)),
    StaffSpec("tomas", "Tomás", "Godoy Riquelme", Role.SALES_ADVISOR, ("fuerza-ventas",)),
    StaffSpec("alma", "Alma", "Villarreal Ochoa", Role.ADMINISTRATOR, (), is_admin=True),
]
STAFF_BY_USERNAME = {s.username: s for s in STAFF}
L1_AGENTS = ("ana", "beto", "carla")
SALES_ADVISORS = ("paola", "tomas")

# --- customers -----------------------------------------------------------------------------------

MX_FIRST = [
    "José Luis",
    "María Fernanda",
    "Juan Carlos",
    "Guadalupe",
    "Alejandro",
    "Verónica",
    "Ricardo",
    "Daniela",
    "Fernando",
    "Mariana",
    "Jorge",
    "Claudia",
    "Eduardo",
    "Gabriela",
    "Miguel Ángel",
    "Adriana",
    "Rodrigo",
    "Ximena",
    "Héctor",
    "Leticia",
    "Arturo",
    "Paulina",
    "Óscar",
    "Itzel",
]
MX_LAST = [
    "García",
    "Hernández",
    "López",
    "Martínez",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Flores",
    "Morales",
    "Jiménez",
    "Reyes",
    "Cruz",
    "Ortiz",
    "Gutiérrez",
    "Mendoza",
    "Vázquez",
    "Castañeda",
    "Aguilar",
    "Salazar",
    "Domínguez",
    "Ibarra",
    "Zúñiga",
    "Olvera",
]
CL_FIRST = [
    "Camila",
    "Matías",
    "Valentina",
    "Sebastián",
    "Constanza",
    "Benjamín",
    "Javiera",
    "Felipe",
    "Francisca",
    "Cristóbal",
    "Catalina",
    "Ignacio",
    "Fernanda",
    "Vicente",
]
CL_LAST = [
    "González",
    "Muñoz",
    "Rojas",
    "Díaz",
    "Soto",
    "Contreras",
    "Silva",
    "Sepúlveda",
    "Morales",
    "Araya",
    "Espinoza",
    "Valenzuela",
    "Fuentes",
    "Carrasco",
    "Tapia",
    "Reyes",
]
MX_COMPANIES = [
    ("Constructora Bajío Norte", "bajionorte.com.mx"),
    ("Despacho Contable Ibarra y Asociados", "ibarrayasociados.mx"),
    ("Farmacias Santa Clara", "farmaciassantaclara.mx"),
    ("Logística Peninsular", "logisticapeninsular.com"),
]
CL_COMPANIES = [
    ("Inversiones Cordillera SpA", "cordillera.cl"),
    ("Clínica Dental Providencia", "dentalprovidencia.cl"),
]
MX_BROKERS = [
    ("Corredores Inmobiliarios del Valle", "cidv.mx"),
    ("Hogar Ideal Bienes Raíces", "hogarideal.mx"),
]
CL_BROKERS = [("Propiedades Andes Ltda.", "propiedadesandes.cl")]

MX_AREAS = ["55", "55", "55", "81", "33", "442", "222"]
MX_CITIES = {
    "55": "Ciudad de México",
    "81": "Monterrey",
    "33": "Guadalajara",
    "442": "Querétaro",
    "222": "Puebla",
}
MX_TIMEZONES = {"81": "America/Monterrey"}
MAIL_HOSTS_MX = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "prodigy.net.mx"]
MAIL_HOSTS_CL = ["gmail.com", "hotmail.com", "outlook.cl", "vtr.net"]

PROJECTS = {
    "MX": [
        "Torre Alameda (CDMX)",
        "Residencial Los Robles (Querétaro)",
        "Lomas del Valle (Monterrey)",
    ],
    "CL": ["Parque Andino (Ñuñoa)", "Mirador del Pacífico (Viña del Mar)"],
}
SOURCES = [
    "Instagram",
    "Facebook",
    "Portal inmobiliario",
    "Recomendación",
    "Google",
    "Espectacular en la zona",
]


@dataclass
class CustomerSpec:
    key: str
    name: str
    first_name: str
    country: str  # "MX" or "CL"
    email: str
    phone: str
    whatsapp: str = ""
    messenger: str = ""
    instagram: str = ""
    twitter: str = ""
    company: str = ""
    segment: str = "standard"
    timezone: str = "America/Mexico_City"
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    lead_status: str = ""
    project: str = ""  # the project they bought or are interested in

    @property
    def regulator(self) -> str:
        return "PROFECO" if self.country == "MX" else "SERNAC"

    def addresses(self) -> dict[str, str]:
        kinds = ("email", "phone", "whatsapp", "messenger", "instagram", "twitter")
        return {kind: getattr(self, kind) for kind in kinds if getattr(self, kind)}


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch in " .")


def _rfc(first: str, last1: str, last2: str, rng: random.Random) -> str:
    """A well-formed (not real) RFC for a person: 4 letters, birth date, 3-character homoclave."""
    letters = (_ascii(last1)[:2] + _ascii(last2)[:1] + _ascii(first)[:1]).upper().ljust(4, "X")
    birth = f"{rng.randint(60, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    homoclave = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(3))
    return letters + birth + homoclave


def _rfc_company(name: str, rng: random.Random) -> str:
    initials = "".join(w[0] for w in _ascii(name).split() if len(w) > 2)[:3].upper().ljust(3, "X")
    founded = f"{rng.randint(0, 20):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return (
        initials
        + founded
        + "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(3))
    )


def _rut(rng: random.Random) -> str:
    """A Chilean RUT with a valid check digit (modulo 11)."""
    number = rng.randint(8_000_000, 24_999_999)
    total, factor = 0, 2
    for digit in reversed(str(number)):
        total += int(digit) * factor
        factor = 2 if factor == 7 else factor + 1
    check = 11 - total % 11
    dv = {10: "K", 11: "0"}.get(check, str(check))
    return f"{number:,}".replace(",", ".") + f"-{dv}"


def build_customers(rng: random.Random, count: int = 40) -> list[CustomerSpec]:
    """COUNT customers, about two thirds Mexican; deterministic for a given RNG state."""
    # Segment quotas: prospects (leads), owners, VIPs, companies and real-estate brokers.
    segments = (
        ["prospect"] * 12
        + ["standard"] * 14
        + ["vip"] * 5
        + ["corporate"] * 5
        + ["distributor"] * 4
    )
    segments = (segments * (count // len(segments) + 1))[:count]
    rng.shuffle(segments)
    companies = {"MX": list(MX_COMPANIES), "CL": list(CL_COMPANIES)}
    brokers = {"MX": list(MX_BROKERS), "CL": list(CL_BROKERS)}
    used_names: set[str] = set()
    customers = []
    for index, segment in enumerate(segments):
        country = "CL" if index % 3 == 2 else "MX"
        first_pool, last_pool = (CL_FIRST, CL_LAST) if country == "CL" else (MX_FIRST, MX_LAST)
        while True:
            first, last1, last2 = (
                rng.choice(first_pool),
                rng.choice(last_pool),
                rng.choice(last_pool),
            )
            name = f"{first} {last1} {last2}"
            if last1 != last2 and name not in used_names:
                used_names.add(name)
                break
        spec = _customer(
            index, name, first, last1, last2, country, segment, rng, companies, brokers
        )
        customers.append(spec)
    _make_addresses_unique(customers)
    return customers


def _make_addresses_unique(customers: list[CustomerSpec]) -> None:
    """Two customers never share an address (an identity belongs to one customer)."""
    seen: set[tuple[str, str]] = set()
    for spec in customers:
        for kind in ("email", "instagram", "twitter"):
            value = getattr(spec, kind)
            if not value:
                continue
            candidate, n = value, 1
            while (kind, candidate.lower()) in seen:
                n += 1
                candidate = value.replace("@", f"{n}@", 1) if kind == "email" else f"{value}{n}"
            seen.add((kind, candidate.lower()))
            setattr(spec, kind, candidate)


def _customer(
    index, name, first, last1, last2, country, segment, rng, companies, brokers
) -> CustomerSpec:
    local = f"{_ascii(first).split()[0]}.{_ascii(last1).replace(' ', '')}"
    if country == "MX":
        area = rng.choice(MX_AREAS)
        digits = "".join(str(rng.randint(0, 9)) for _ in range(10 - len(area)))
        phone = f"+52{area}{digits}"
        host = rng.choice(MAIL_HOSTS_MX)
        tz = MX_TIMEZONES.get(area, "America/Mexico_City")
        custom = {"rfc": _rfc(first.split()[0], last1, last2, rng), "ciudad": MX_CITIES[area]}
    else:
        phone = "+569" + "".join(str(rng.randint(0, 9)) for _ in range(8))
        host = rng.choice(MAIL_HOSTS_CL)
        tz = "America/Santiago"
        custom = {
            "rut": _rut(rng),
            "ciudad": rng.choice(["Santiago", "Ñuñoa", "Viña del Mar", "Providencia"]),
        }
    spec = CustomerSpec(
        key=f"c{index:02d}",
        name=name,
        first_name=first.split()[0],
        country=country,
        email=f"{local}{rng.randint(1, 99) if rng.random() < 0.4 else ''}@{host}",
        phone=phone,
        segment=segment,
        timezone=tz,
        custom_fields=custom,
    )
    if rng.random() < 0.85:
        spec.whatsapp = phone.lstrip("+")
    if rng.random() < 0.3:
        spec.messenger = str(rng.randint(10**15, 10**16 - 1))
    if rng.random() < 0.3:
        spec.instagram = f"{local.replace('.', '_')}{rng.randint(1, 99)}"
    if rng.random() < 0.2:
        spec.twitter = f"@{local.replace('.', '')[:12]}"
    spec.project = rng.choice(PROJECTS[country])
    if segment == "prospect":
        spec.lead_status = "new"
        spec.custom_fields |= {"proyecto_interes": spec.project, "origen": rng.choice(SOURCES)}
        spec.tags = ["prospecto"]
    elif segment in ("corporate", "distributor"):
        pool = companies[country] if segment == "corporate" else brokers[country]
        company, domain = pool[index % len(pool)]
        spec.company = company
        spec.email = f"{local}@{domain}"
        if country == "MX":
            spec.custom_fields["rfc_empresa"] = _rfc_company(company, rng)
        spec.tags = ["empresa"] if segment == "corporate" else ["corredor"]
        spec.custom_fields["numero_cliente"] = f"GA-{rng.randint(10000, 99999)}"
    else:
        unit = f"{rng.choice('ABCD')}-{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
        spec.custom_fields |= {
            "proyecto": spec.project,
            "unidad": unit,
            "numero_cliente": f"GA-{rng.randint(10000, 99999)}",
        }
        spec.tags = ["propietario"] + (["vip"] if segment == "vip" else [])
    return spec
