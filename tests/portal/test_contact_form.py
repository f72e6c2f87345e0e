"""The public contact form (/contacto/): plain HTML, folio at once, acknowledgement by e-mail."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atiende.cases.models import Case, Channel
from atiende.customers.models import Identity
from atiende.intake.models import InboundEnvelope


@pytest.fixture
def submit(client, db, django_capture_on_commit_callbacks):
    def post(**overrides):
        data = {
            "name": "Lucía Pérez",
            "email": "Lucia@Correo.test",
            "phone": "55 1234 5678",
            "case_type": "complaint",
            "message": "Mi lavadora llegó golpeada.",
            "website": "",
            "token": str(uuid.uuid4()),
            **overrides,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("portal:contact"), data, follow=True)

    return post


def test_the_form_is_plain_html_that_can_be_embedded(client, db):
    response = client.get(reverse("portal:contact"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" enctype="multipart/form-data"' in html
    assert "<script" not in html
    assert "X-Frame-Options" not in response.headers


def test_a_submission_opens_a_case_and_shows_the_folio_at_once(submit):
    response = submit()

    case = Case.objects.get()
    assert response.status_code == 200
    assert case.folio in response.content.decode()
    assert (case.channel, case.case_type) == (Channel.WEBFORM, "complaint")
    assert case.messages.get(direction="in").body_text == "Mi lavadora llegó golpeada."
    identities = set(Identity.objects.values_list("kind", "address"))
    assert identities == {("email", "lucia@correo.test"), ("phone", "+525512345678")}
    assert InboundEnvelope.objects.get().source == "webform"


def test_the_customer_gets_an_acknowledgement_with_the_folio(submit):
    submit()
    case = Case.objects.get()
    (acknowledgement,) = mail.outbox
    assert acknowledgement.to == ["lucia@correo.test"]
    assert case.folio in acknowledgement.subject and case.folio in acknowledgement.body


def test_files_are_attached_to_the_case(submit):
    submit(attachments=[SimpleUploadedFile("foto.jpg", b"JPEG", content_type="image/jpeg")])
    attachment = Case.objects.get().attachments.get()
    assert (attachment.filename, attachment.size) == ("foto.jpg", 4)


def test_the_same_page_sent_twice_is_one_request(submit):
    token = str(uuid.uuid4())
    first = submit(token=token)
    second = submit(token=token)
    assert Case.objects.count() == 1
    assert Case.objects.get().folio in second.content.decode()
    assert first.redirect_chain == second.redirect_chain


def test_the_honeypot_swallows_bots_silently(submit):
    response = submit(website="http://spam.test")
    assert response.status_code == 200
    assert not InboundEnvelope.objects.exists() and not Case.objects.exists()


def test_a_flood_from_one_address_is_refused(submit, settings):
    settings.ATIENDE_WEBFORM_LIMIT_PER_HOUR = 2
    statuses = [submit().status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Case.objects.count() == 2


def test_invalid_input_shows_the_errors_in_spanish(submit):
    response = submit(email="no-es-correo", message="")
    assert response.status_code == 200
    assert "Introduzca una dirección de correo electrónico válida" in response.content.decode()
    assert not InboundEnvelope.objects.exists()
