"""Importing customers from CSV or XLSX (CU7): the file is kept, rows are validated one by one,
known customers are completed rather than duplicated, and every rejected row says why."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from atiende.core.actors import Actor
from atiende.customers import importing
from atiende.customers.models import Customer, CustomerEvent, Identity, ImportJob
from tests.factories.customers import CustomerFactory, IdentityFactory


def upload(name: str, content: bytes | str) -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data)


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(job: ImportJob, django_capture_on_commit_callbacks) -> ImportJob:
    """Confirm the guessed mapping; the task runs eagerly once the transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        importing.confirm_mapping(job=job, mapping=job.mapping)
    job.refresh_from_db()
    return job


@pytest.fixture
def actor(supervisor):
    return Actor.agent(supervisor)


CSV = (
    "Nombre,Correo electrónico,Teléfono,Empresa,RFC,Proyecto de interés\n"
    "Lucía Torres,lucia@correo.test,55 1234 5678,Constructora Sol,TOLU800101AB1,Torre Norte\n"
    "Mario Díaz,no-es-correo,5598765432,,,\n"
    "Sin Datos,,,,,\n"
)


def test_it_reads_the_headers_and_guesses_the_columns_in_spanish_or_english(actor):
    job = importing.start_import(upload=upload("clientes.csv", CSV), actor=actor)
    assert job.status == ImportJob.Status.MAPPING
    assert job.total_rows == 3
    assert list(job.mapping.values()) == [
        "name", "email", "phone", "company", "document", "custom",
    ]  # fmt: skip
    english = importing.start_import(
        upload=upload("c.csv", "Full name;E-mail;Mobile;Company\nA;a@b.test;5512345678;X\n"),
        actor=actor,
    )
    assert list(english.mapping.values()) == ["name", "email", "phone", "company"]


def test_it_creates_customers_and_rejects_bad_rows_with_a_reason(
    actor, django_capture_on_commit_callbacks
):
    job = run(
        importing.start_import(upload=upload("clientes.csv", CSV), actor=actor),
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.DONE
    assert (job.processed, job.created, job.updated, job.rejected) == (3, 1, 0, 2)
    lucia = Customer.objects.get(name="Lucía Torres")
    assert set(lucia.identities.values_list("kind", "address")) == {
        ("email", "lucia@correo.test"),
        ("phone", "+525512345678"),  # the desk's default region (MX) normalises the phone
    }
    assert lucia.company == "Constructora Sol"
    assert lucia.custom_fields == {"rfc": "TOLU800101AB1", "proyecto_de_interes": "Torre Norte"}
    assert CustomerEvent.objects.filter(customer=lucia, verb="imported").exists()
    reasons = dict(job.rejected_rows.values_list("line", "reason"))
    assert reasons[3] == "Correo electrónico no válido: no-es-correo"
    assert "no tiene correo, teléfono ni WhatsApp" in reasons[4]


def test_a_known_customer_is_completed_not_duplicated_nor_overwritten(
    actor, django_capture_on_commit_callbacks
):
    known = CustomerFactory(name="Lucía T.", company="")
    IdentityFactory(customer=known, kind="phone", address="+525512345678")
    job = run(
        importing.start_import(upload=upload("clientes.csv", CSV), actor=actor),
        django_capture_on_commit_callbacks,
    )
    assert (job.created, job.updated) == (0, 1)
    known.refresh_from_db()
    assert known.name == "Lucía T."  # never overwritten
    assert known.company == "Constructora Sol"  # blank: filled
    assert known.identities.filter(address="lucia@correo.test").exists()
    assert Customer.objects.count() == 1


def test_the_same_person_twice_in_one_file_is_one_customer(
    actor, django_capture_on_commit_callbacks
):
    content = "nombre,correo\nAna,ana@correo.test\nAna López,ANA@correo.test\n"
    job = run(
        importing.start_import(upload=upload("c.csv", content), actor=actor),
        django_capture_on_commit_callbacks,
    )
    assert (job.created, job.unchanged) == (1, 1)
    assert Customer.objects.get().name == "Ana"


def test_a_row_whose_addresses_belong_to_two_customers_is_rejected(
    actor, django_capture_on_commit_callbacks
):
    IdentityFactory(customer=CustomerFactory(name="Uno"), address="uno@correo.test")
    IdentityFactory(customer=CustomerFactory(name="Dos"), kind="phone", address="+525512345678")
    job = run(
        importing.start_import(
            upload=upload("c.csv", "correo,telefono\nuno@correo.test,5512345678\n"), actor=actor
        ),
        django_capture_on_commit_callbacks,
    )
    assert job.rejected == 1
    assert "clientes distintos (Uno, Dos)" in job.rejected_rows.get().reason
    assert Identity.objects.get(address="+525512345678").customer.name == "Dos"


def test_it_imports_an_excel_file_with_phones_typed_as_numbers(
    actor, django_capture_on_commit_callbacks
):
    content = xlsx([["Nombre", "Celular", "Segmento"], ["Pedro", 5512345678, "VIP"]])
    job = run(
        importing.start_import(upload=upload("clientes.xlsx", content), actor=actor),
        django_capture_on_commit_callbacks,
    )
    assert job.created == 1
    pedro = Customer.objects.get(name="Pedro")
    assert pedro.segment == "vip"
    assert pedro.identities.get().address == "+525512345678"


def test_an_unknown_segment_is_rejected_with_the_allowed_values(
    actor, django_capture_on_commit_callbacks
):
    job = run(
        importing.start_import(
            upload=upload("c.csv", "correo,segmento\na@correo.test,oro\n"), actor=actor
        ),
        django_capture_on_commit_callbacks,
    )
    assert job.rejected_rows.get().reason.startswith("Segmento desconocido: «oro» (use: Estándar")


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("vacio.csv", b"", "El archivo está vacío."),
        ("solo.csv", b"nombre,correo\n", "El archivo solo tiene encabezados."),
        ("roto.xlsx", b"esto no es un excel", "No se pudo abrir el Excel"),
        ("excel.csv", xlsx([["a"], ["b"]]), "parece un Excel (.xlsx)"),
        ("comillas.csv", b'nombre,correo\n"Ana,ana@correo.test\n', "mal formado en la fila"),
    ],
)
def test_a_malformed_file_gives_a_precise_error_and_is_kept(actor, name, content, error):
    job = importing.start_import(upload=upload(name, content), actor=actor)
    assert job.status == ImportJob.Status.FAILED
    assert error in job.error
    with job.file.open("rb") as kept:
        assert kept.read() == content  # bad input loses nothing


@pytest.mark.parametrize(
    ("name", "size", "error"),
    [
        ("clientes.xls", 10, "Solo se aceptan archivos CSV o Excel (.xlsx)"),
        ("virus.exe", 10, "Solo se aceptan archivos CSV o Excel (.xlsx)"),
        ("enorme.csv", 10**10, "el máximo es"),
    ],
)
def test_a_forbidden_type_or_size_is_refused_before_anything_is_stored(name, size, error):
    with pytest.raises(
        importing.ImportRefused, match=error.replace("(", r"\(").replace(")", r"\)")
    ):
        importing.check_upload(name, size)


def test_a_windows_1252_csv_separated_by_semicolons_is_read(
    actor, django_capture_on_commit_callbacks
):
    content = "Nombre;Correo\nMaría Núñez;maria@correo.test\n".encode("cp1252")
    job = run(
        importing.start_import(upload=upload("c.csv", content), actor=actor),
        django_capture_on_commit_callbacks,
    )
    assert Customer.objects.get().name == "María Núñez" and job.created == 1


def test_the_mapping_needs_an_identity_column_and_no_field_twice(actor):
    job = importing.start_import(
        upload=upload("c.csv", "nombre,correo,mail\nA,a@b.test,\n"), actor=actor
    )
    with pytest.raises(Exception, match="al menos una columna de correo"):
        importing.check_mapping({"0": "name", "1": "ignore", "2": "ignore"}, job.headers)
    with pytest.raises(Exception, match="«nombre» y «correo» van al mismo campo"):
        importing.check_mapping({"0": "name", "1": "name", "2": "email"}, job.headers)
    importing.check_mapping({"0": "name", "1": "email", "2": "email"}, job.headers)


def test_a_retried_task_resumes_after_the_last_committed_row(
    actor, django_capture_on_commit_callbacks
):
    content = "correo\na@correo.test\nb@correo.test\nc@correo.test\n"
    job = importing.start_import(upload=upload("c.csv", content), actor=actor)
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed=1, created=1)
    importing.run_import(job.pk)
    job.refresh_from_db()
    assert (job.processed, job.created, job.status) == (3, 3, "done")
    assert not Identity.objects.filter(address="a@correo.test").exists()  # row 1 was not redone


def test_a_finished_job_is_not_run_again(actor, django_capture_on_commit_callbacks):
    job = run(
        importing.start_import(upload=upload("c.csv", "correo\na@correo.test\n"), actor=actor),
        django_capture_on_commit_callbacks,
    )
    assert importing.run_import(job.pk) is None
    assert ImportJob.objects.get(pk=job.pk).processed == 1


def test_the_rejected_rows_report_is_a_spreadsheet_safe_csv(
    actor, django_capture_on_commit_callbacks
):
    content = 'nombre,correo\n=HYPERLINK("x"),malo\n'
    job = run(
        importing.start_import(upload=upload("c.csv", content), actor=actor),
        django_capture_on_commit_callbacks,
    )
    rows = list(csv.reader(io.StringIO(importing.rejected_rows_csv(job).lstrip("\ufeff"))))
    assert rows[0] == ["Fila", "Motivo", "nombre", "correo"]
    assert rows[1] == ["2", "Correo electrónico no válido: malo", '\'=HYPERLINK("x")', "malo"]


def test_the_sweep_resumes_a_job_whose_task_was_lost(actor):
    job = importing.start_import(upload=upload("c.csv", "correo\na@correo.test\n"), actor=actor)
    long_ago = timezone.now() - timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(status="queued", touched_at=long_ago)
    assert importing.sweep_imports(stuck_before=timezone.now() - timedelta(minutes=10)) == 1
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 1)
    assert importing.sweep_imports(stuck_before=timezone.now()) == 0  # finished jobs stay put


def test_the_rejected_rows_report_neutralises_formulas_in_the_headers_too(
    actor, django_capture_on_commit_callbacks
):
    content = '=cmd|"/c calc"!A1,correo,@SUM(1)\nAna,malo,x\n'
    job = run(
        importing.start_import(upload=upload("c.csv", content), actor=actor),
        django_capture_on_commit_callbacks,
    )
    rows = list(csv.reader(io.StringIO(importing.rejected_rows_csv(job).lstrip("\ufeff"))))
    assert rows[0] == ["Fila", "Motivo", '\'=cmd|"/c calc"!A1', "correo", "'@SUM(1)"]


def test_an_excel_that_breaks_while_its_rows_are_read_fails_with_a_reason_and_is_kept(actor):
    # A real workbook whose sheet is cut off in the middle of row 2: it opens, the header reads.
    whole = zipfile.ZipFile(io.BytesIO(xlsx([["Nombre", "Correo"], ["Ana", "ana@correo.test"]])))
    cut = io.BytesIO()
    with zipfile.ZipFile(cut, "w") as damaged:
        for item in whole.infolist():
            data = whole.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b'<row r="2"') + 30]
            damaged.writestr(item, data)
    content = cut.getvalue()
    job = importing.start_import(upload=upload("roto.xlsx", content), actor=actor)
    assert job.status == ImportJob.Status.FAILED
    assert "El Excel está dañado: no se pudo leer la fila 2" in job.error
    with job.file.open("rb") as kept:
        assert kept.read() == content


def test_a_file_with_too_many_rows_fails_with_the_limit_and_is_kept(actor, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    content = "nombre,correo\na,a@correo.test\nb,b@correo.test\nc,c@correo.test\n"
    job = importing.start_import(upload=upload("muchos.csv", content), actor=actor)
    assert job.status == ImportJob.Status.FAILED
    assert "más de 2 filas de datos" in job.error
    with job.file.open("rb") as kept:
        assert kept.read() == content.encode()
