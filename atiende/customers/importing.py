"""Importing customers from CSV or XLSX (CU7).

The flow: ``start_import`` checks the upload (type, size), stores the raw file in an
``ImportJob`` and reads its header row; ``confirm_mapping`` records which column feeds which
field and enqueues ``run_import`` (task ``exports.import_customers``), which imports one row per
transaction and writes the counters in that same transaction.

Bad input loses nothing: a file that passes the type and size checks is stored before it is
parsed, so a malformed one is kept next to its precise error; a rejected row is kept with its
reason and can be downloaded. Existing customers are matched by e-mail, phone or WhatsApp
identity and completed (blank fields filled, identities, tags and custom fields added), never
duplicated and never overwritten.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import unicodedata
import zoneinfo
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core.actors import Actor
from atiende.core.files import clean_filename, extension_of, size_error
from atiende.core.tasks import enqueue, enqueue_on_commit
from atiende.customers import services
from atiende.customers.addresses import normalise_address
from atiende.customers.models import (
    Customer,
    CustomerEvent,
    Identity,
    ImportJob,
    ImportRejectedRow,
    Segment,
)
from atiende.customers.selectors import identity_match
from atiende.customers.tables import MalformedFile, read_table

logger = logging.getLogger(__name__)

IMPORT_TASK = "exports.import_customers"
ALLOWED_FORMATS = ("csv", "xlsx")
#: Failures the task retries (a database that went away or stayed locked), as ``jobs.errors``
#: does; spelled out here because ``customers`` sits below ``jobs``.
RETRYABLE = (OperationalError, InterfaceError)
#: The most data rows one file may hold: the rows are counted while the upload request waits.
MAX_ROWS = 100_000

#: The fields a column can feed, in the order the mapping form offers them.
FIELD_CHOICES = [
    ("ignore", gettext_lazy("No importar")),
    ("name", gettext_lazy("Nombre completo")),
    ("first_name", gettext_lazy("Nombre(s)")),
    ("last_name", gettext_lazy("Apellido(s)")),
    ("email", gettext_lazy("Correo electrónico")),
    ("phone", gettext_lazy("Teléfono")),
    ("whatsapp", gettext_lazy("WhatsApp")),
    ("company", gettext_lazy("Empresa")),
    ("document", gettext_lazy("Documento (RFC, RUT, CURP…)")),
    ("segment", gettext_lazy("Segmento")),
    ("language", gettext_lazy("Idioma")),
    ("timezone", gettext_lazy("Zona horaria")),
    ("tags", gettext_lazy("Etiquetas")),
    ("custom", gettext_lazy("Campo personalizado")),
]
FIELDS = {key for key, _label in FIELD_CHOICES}
#: Fields that may be fed by several columns (two phone columns, several custom fields).
MULTI_FIELDS = {"ignore", "email", "phone", "whatsapp", "tags", "custom"}
IDENTITY_FIELDS = ("email", "phone", "whatsapp")

#: Header names (lower case, without accents, spaces or punctuation) recognised per field.
ALIASES: dict[str, set[str]] = {
    "name": {"nombre", "nombrecompleto", "name", "fullname", "cliente", "nombrecliente",
             "contacto", "customer", "customername"},
    "first_name": {"nombres", "primernombre", "firstname", "givenname"},
    "last_name": {"apellido", "apellidos", "lastname", "surname", "familyname"},
    "email": {"correo", "correoelectronico", "email", "mail", "emailaddress", "ecorreo",
              "direcciondecorreo"},
    "phone": {"telefono", "telefonos", "tel", "celular", "movil", "cel", "fono", "phone",
              "mobile", "phonenumber", "telephone", "telefonomovil", "telefonocelular"},
    "whatsapp": {"whatsapp", "wa", "numerowhatsapp"},
    "company": {"empresa", "compania", "company", "organizacion", "organization",
                "razonsocial", "negocio"},
    "document": {"documento", "document", "documentoidentidad", "numerodocumento", "rfc", "rut",
                 "curp", "dni", "nit", "cedula", "taxid"},
    "segment": {"segmento", "segment", "tipodecliente"},
    "language": {"idioma", "language", "lang", "lengua"},
    "timezone": {"zonahoraria", "timezone", "tz", "husohorario"},
    "tags": {"etiquetas", "etiqueta", "tags", "tag"},
}  # fmt: skip
#: Document headers kept under their own name in custom_fields; any other goes to "documento".
DOCUMENT_KEYS = {"rfc", "rut", "curp", "dni", "nit", "cedula"}
LANGUAGE_ALIASES = {
    "es": "es", "espanol": "es", "spanish": "es", "castellano": "es",
    "en": "en", "ingles": "en", "english": "en",
}  # fmt: skip


class ImportRefused(services.CustomerError):
    """The upload itself is refused (type, size): nothing is stored."""

    code = "import_refused"


class RowRejected(Exception):
    """One row cannot be imported; the message is the reason shown in the report (Spanish)."""


def normalise_header(value: str) -> str:
    """'Correo electrónico' → 'correoelectronico': how headers are compared with ALIASES."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def guess_field(header: str) -> str:
    """The field a column probably feeds; unknown headers become custom fields (nothing lost)."""
    key = normalise_header(header)
    if not key:
        return "ignore"
    for field, aliases in ALIASES.items():
        if key in aliases:
            return field
    return "custom"


def custom_key(header: str) -> str:
    """'Proyecto de interés' → 'proyecto_de_interes'."""
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:60] or "campo"


def read_rows(job: ImportJob) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of JOB's file, header first (row 1); blank rows are skipped."""
    with job.file.open("rb") as handle:
        raw = handle.read()
    if not raw.strip():
        raise MalformedFile(_("El archivo está vacío."))
    rows = read_table(raw, job.file_format)
    for number, cells in enumerate(rows, start=1):
        if any(cells):
            yield number, cells


# --- Upload and mapping ---------------------------------------------------------------------------


def check_upload(filename: str, size: int) -> tuple[str, str]:
    """(safe file name, format) or ImportRefused with the reason."""
    name = clean_filename(filename)
    extension = extension_of(name)
    if extension not in ALLOWED_FORMATS:
        raise ImportRefused(
            _("Solo se aceptan archivos CSV o Excel (.xlsx); «%(n)s» no lo es.") % {"n": name}
        )
    too_big = size_error(name, size)
    if too_big:
        raise ImportRefused(too_big)
    return name or f"clientes.{extension}", extension


def start_import(*, upload: UploadedFile, actor: Actor) -> ImportJob:
    """Store UPLOAD as a new job and read its header row.

    Raises ImportRefused (nothing stored) for a forbidden type or size. A file that cannot be
    read, or that holds more than MAX_ROWS data rows, is kept: the job is returned as ``failed``
    with the reason in ``error``.
    """
    name, file_format = check_upload(upload.name or "", upload.size or 0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob(
        created_by=actor.user,
        filename=name,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        file_format=file_format,
    )
    job.file.save(name, upload, save=False)
    job.save()
    try:
        rows = read_rows(job)
        header = next(rows, None)
        if header is None:
            raise MalformedFile(_("El archivo no tiene filas."))
        total = 0
        for _row in rows:
            total += 1
            if total > MAX_ROWS:
                raise MalformedFile(
                    _(
                        "El archivo tiene más de %(max)s filas de datos; divídalo en archivos de "
                        "hasta %(max)s filas e impórtelos por separado."
                    )
                    % {"max": f"{MAX_ROWS:,}"}
                )
    except MalformedFile as exc:
        job.status, job.error = ImportJob.Status.FAILED, str(exc)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    headers = header[1]
    job.headers = headers
    job.total_rows = total
    job.mapping = {str(i): guess_field(h) for i, h in enumerate(headers)}
    if total == 0:
        job.status, job.error = ImportJob.Status.FAILED, _("El archivo solo tiene encabezados.")
        job.finished_at = timezone.now()
    job.save()
    return job


def check_mapping(mapping: dict[str, str], headers: list[str]) -> None:
    """ValidationError unless MAPPING feeds at least one identity and no field twice."""
    seen: dict[str, str] = {}
    for index, field in mapping.items():
        if field not in FIELDS:
            raise ValidationError(_("Campo desconocido: %(f)s") % {"f": field})
        header = headers[int(index)] if int(index) < len(headers) else index
        if field not in MULTI_FIELDS and field in seen:
            raise ValidationError(
                _("Las columnas «%(a)s» y «%(b)s» van al mismo campo; elija uno solo.")
                % {"a": seen[field], "b": header}
            )
        seen[field] = header
    if not any(field in seen for field in IDENTITY_FIELDS):
        raise ValidationError(
            _(
                "Indique al menos una columna de correo, teléfono o WhatsApp: sin ellas no se "
                "puede identificar a los clientes."
            )
        )


@transaction.atomic
def confirm_mapping(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Record the mapping and queue the import. ValidationError for a bad mapping."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.MAPPING:
        raise ValidationError(_("Esta importación ya no espera la confirmación de columnas."))
    check_mapping(mapping, job.headers)
    job.mapping, job.status, job.touched_at = mapping, ImportJob.Status.QUEUED, timezone.now()
    job.save(update_fields=["mapping", "status", "touched_at"])
    enqueue_on_commit(IMPORT_TASK, job.pk)
    return job


# --- Running --------------------------------------------------------------------------------------


def run_import(job_id: int) -> ImportJob | None:
    """Import JOB_ID's rows, resuming after the last committed one. None if not ours to run.

    Each row is one transaction that also bumps the counters; a second worker on the same job
    notices that ``processed`` moved and stops, so no row is imported twice.
    """
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING, touched_at=timezone.now())
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.started_at is None:
        ImportJob.objects.filter(pk=job_id).update(started_at=timezone.now())
    actor = Actor.agent(job.created_by)
    index, line = 0, 0
    try:
        rows = read_rows(job)
        next(rows, None)  # the header
        for index, (line, cells) in enumerate(rows):
            if index < job.processed:
                continue
            if not _import_counted(job, index, line, cells, actor):
                return None  # another worker is ahead on this job
    except MalformedFile as exc:
        _finish(job_id, ImportJob.Status.FAILED, str(exc))
        return ImportJob.objects.get(pk=job_id)
    except RETRYABLE:
        raise  # the task retries and resumes after the last committed row
    except Exception:
        logger.exception("customer import %s failed at row %s", job.uuid, line)
        _finish(
            job_id,
            ImportJob.Status.FAILED,
            _("Error inesperado en la fila %(n)s; el archivo se conserva y puede reintentarse.")
            % {"n": line},
        )
        return ImportJob.objects.get(pk=job_id)
    _finish(job_id, ImportJob.Status.DONE, "")
    return ImportJob.objects.get(pk=job_id)


def _finish(job_id: int, status: str, error: str) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        status=status, error=error, finished_at=now, touched_at=now
    )


@transaction.atomic
def _import_counted(job: ImportJob, index: int, line: int, cells: list[str], actor: Actor) -> bool:
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.processed != index:
        return False
    try:
        with transaction.atomic():
            outcome = import_row(
                cells, job.headers, job.mapping, actor=actor, source={"job": str(job.uuid)}
            )
    except (RowRejected, ValidationError, services.CustomerError) as exc:
        reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        ImportRejectedRow.objects.create(job=job, line=line, reason=reason, values=cells)
        outcome = "rejected"
    ImportJob.objects.filter(pk=job.pk).update(
        processed=F("processed") + 1, touched_at=timezone.now(), **{outcome: F(outcome) + 1}
    )
    return True


def sweep_imports(*, stuck_before: datetime) -> int:
    """Enqueue again the queued or running jobs untouched since STUCK_BEFORE (a lost task or a
    killed worker); ``run_import`` resumes them after their last committed row."""
    stuck = list(
        ImportJob.objects.filter(
            status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING],
            touched_at__lt=stuck_before,
        ).values_list("pk", flat=True)
    )
    for job_id in stuck:
        enqueue(IMPORT_TASK, job_id)
    return len(stuck)


def _split(value: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(f"[{separators}]", value) if part.strip()]


def _row_values(cells: list[str], headers: list[str], mapping: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {"email": [], "phone": [], "whatsapp": [], "tags": [], "custom": {}}
    for index, field in mapping.items():
        position = int(index)
        cell = cells[position].strip() if position < len(cells) else ""
        if not cell or field == "ignore":
            continue
        header = headers[position] if position < len(headers) else ""
        if field == "email":
            values["email"] += _split(cell, ";,")
        elif field in ("phone", "whatsapp"):
            values[field] += _split(cell, ";/")
        elif field == "tags":
            values["tags"] += _split(cell, ";,")
        elif field == "custom":
            values["custom"][custom_key(header)] = cell
        elif field == "document":
            key = normalise_header(header)
            values["custom"][key if key in DOCUMENT_KEYS else "documento"] = cell
        else:
            values[field] = cell
    if not values.get("name"):
        values["name"] = " ".join(
            part for part in (values.get("first_name", ""), values.get("last_name", "")) if part
        )
    return values


def _choice(value: str, choices: Any, what: str) -> str:
    key = normalise_header(value)
    for code, label in choices:
        if key in (normalise_header(code), normalise_header(str(label))):
            return code
    raise RowRejected(
        _("%(what)s desconocido: «%(v)s» (use: %(options)s).")
        % {"what": what, "v": value, "options": ", ".join(str(label) for _c, label in choices)}
    )


def _profile_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The row's customer fields, validated; RowRejected with the reason otherwise."""
    fields: dict[str, Any] = {}
    if len(values["name"]) > 200:
        raise RowRejected(_("El nombre tiene más de 200 caracteres."))
    if len(values.get("company", "")) > 200:
        raise RowRejected(_("La empresa tiene más de 200 caracteres."))
    if values.get("company"):
        fields["company"] = values["company"]
    if values.get("segment"):
        fields["segment"] = _choice(values["segment"], Segment.choices, _("Segmento"))
    if values.get("language"):
        language = LANGUAGE_ALIASES.get(normalise_header(values["language"]))
        if language is None:
            raise RowRejected(
                _("Idioma desconocido: «%(v)s» (use es o en).") % {"v": values["language"]}
            )
        fields["language"] = language
    if values.get("timezone"):
        if values["timezone"] not in zoneinfo.available_timezones():
            raise RowRejected(
                _("Zona horaria desconocida: «%(v)s» (ejemplo: America/Mexico_City).")
                % {"v": values["timezone"]}
            )
        fields["timezone"] = values["timezone"]
    if values["tags"]:
        fields["tags"] = sorted(set(values["tags"]))
    if values["custom"]:
        fields["custom_fields"] = values["custom"]
    return fields


def import_row(
    cells: list[str],
    headers: list[str],
    mapping: dict[str, str],
    *,
    actor: Actor,
    source: dict[str, Any],
) -> str:
    """Create or complete the customer of one row: "created", "updated" or "unchanged".

    RowRejected says why a row cannot be imported (bad address, unknown segment, or addresses
    that belong to two different customers: linking them is a merge an agent confirms, CU2).
    """
    values = _row_values(cells, headers, mapping)
    addresses: list[tuple[str, str]] = []
    for kind in IDENTITY_FIELDS:
        for raw in values[kind]:
            try:
                address = normalise_address(kind, raw)
            except ValidationError as exc:
                raise RowRejected(exc.messages[0]) from exc
            if (kind, address) not in addresses:
                addresses.append((kind, address))
    if not addresses:
        raise RowRejected(
            _("La fila no tiene correo, teléfono ni WhatsApp: no se puede identificar al cliente.")
        )
    fields = _profile_fields(values)
    owners = Identity.objects.filter(identity_match(addresses))
    found = list(Customer.objects.filter(identities__in=owners).distinct().order_by("pk"))
    if len(found) > 1:
        raise RowRejected(
            _(
                "Los datos de la fila pertenecen a clientes distintos (%(names)s); fusiónelos "
                "primero o corrija la fila."
            )
            % {"names": ", ".join(str(c) for c in found)}
        )
    if not found:
        return _create(values["name"], addresses, fields, actor, source)
    return _complete(found[0], values["name"], addresses, fields, actor, source)


def _imported_event(customer: Customer, actor: Actor, source: dict[str, Any], outcome: str) -> None:
    services._event(
        customer, CustomerEvent.Verb.IMPORTED, actor, after={**source, "outcome": outcome}
    )


def _create(
    name: str,
    addresses: list[tuple[str, str]],
    fields: dict[str, Any],
    actor: Actor,
    source: dict[str, Any],
) -> str:
    first: dict[str, str] = {}
    for kind, address in addresses:
        first.setdefault(kind, address)
    customer, created = services.find_or_create_customer(
        actor=actor, name=name, addresses=first, **fields
    )
    for kind, address in addresses:
        if first.get(kind) != address:
            services.add_identity(customer=customer, kind=kind, address=address, actor=actor)
    outcome = "created" if created else "updated"
    _imported_event(customer, actor, source, outcome)
    return outcome


def _complete(
    customer: Customer,
    name: str,
    addresses: list[tuple[str, str]],
    fields: dict[str, Any],
    actor: Actor,
    source: dict[str, Any],
) -> str:
    """Fill what CUSTOMER lacks; what it already has is never overwritten."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changes: dict[str, Any] = {}
    if name and not customer.name:
        changes["name"] = name
    for field in ("company", "timezone"):
        if fields.get(field) and not getattr(customer, field):
            changes[field] = fields[field]
    segment = fields.get("segment", Segment.STANDARD)
    if customer.segment == Segment.STANDARD and segment != Segment.STANDARD:
        changes["segment"] = segment
    tags = sorted(set(customer.tags) | set(fields.get("tags", [])))
    if tags != sorted(customer.tags):
        changes["tags"] = tags
    custom = {**fields.get("custom_fields", {}), **customer.custom_fields}
    if custom != customer.custom_fields:
        changes["custom_fields"] = custom
    known = set(customer.identities.values_list("kind", "address"))
    new = [(kind, address) for kind, address in addresses if (kind, address) not in known]
    if not changes and not new:
        return "unchanged"
    if changes:
        services.update_customer(customer=customer, actor=actor, **changes)
    for kind, address in new:
        services.add_identity(customer=customer, kind=kind, address=address, actor=actor)
    _imported_event(customer, actor, source, "updated")
    return "updated"


def rejected_rows_csv(job: ImportJob) -> str:
    """The rejected rows as CSV (UTF-8 with BOM, for Excel): row, reason, then the row as read.

    Cells that a spreadsheet would run as a formula, headers included (they come from the
    upload too), are prefixed with an apostrophe.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Fila"), _("Motivo"), *(_safe_cell(h) for h in job.headers)])
    for row in job.rejected_rows.all():
        writer.writerow([row.line, row.reason, *(_safe_cell(v) for v in row.values)])
    return out.getvalue()


_NUMBER = re.compile(r"^[+-]?[\d\s().-]*$")


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection); phone numbers like +52… stay as they are."""
    if value[:1] in ("=", "@", "\t", "\r") or (value[:1] in "+-" and not _NUMBER.match(value)):
        return f"'{value}"
    return value
