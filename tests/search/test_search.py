"""Search (UI7): one box finds cases, customers and messages the user may see, accent- and
case-insensitively; a folio, an e-mail or a phone number goes straight to its record."""

import pytest
from django.urls import reverse

from atiende.cases import services
from atiende.cases.models import Case
from atiende.core.actors import Actor
from atiende.customers.models import Identity
from atiende.search.selectors import MAX_QUERY_CHARS
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory

URL = reverse("search:search")


def search(client, q, **params):
    return client.get(URL, {"q": q, **params})


def page_of(client, q, **params) -> str:
    response = search(client, q, **params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_it_needs_a_login(client, db):
    response = search(client, "crédito")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_header_search_box_posts_here(signed_in):
    page = page_of(signed_in, "")
    assert f'action="{URL}"' in page and 'id="q"' in page


@pytest.mark.parametrize("q", ["credito", "CRÉDITO", "Crédito", "creditos"])
def test_accents_and_case_do_not_matter(signed_in, team, q):
    case = make_case(team=team, summary="¿Aceptan crédito Infonavit?")
    assert case.folio in page_of(signed_in, q)


def test_a_query_with_accents_finds_text_without_them(signed_in, team):
    case = make_case(team=team, summary="Informacion del deposito")
    assert case.folio in page_of(signed_in, "información depósito")


def test_every_word_must_match(signed_in, team):
    both = make_case(team=team, summary="Fuga de agua en el baño")
    one = make_case(team=team, summary="Fuga de gas en la cocina")
    page = page_of(signed_in, "fuga baño")
    assert both.folio in page and one.folio not in page


def test_an_agent_does_not_find_other_teams_cases_or_their_messages(signed_in, team, other_team):
    mine = make_case(team=team, summary="Humedad en muro", message_text="Mancha de humedad")
    theirs = make_case(
        team=other_team, summary="Humedad en techo", message_text="Mancha de humedad arriba"
    )
    page = page_of(signed_in, "humedad")
    assert mine.folio in page and theirs.folio not in page
    assert "arriba" not in page


def test_a_case_assigned_to_the_agent_in_another_team_is_found(signed_in, agent, other_team):
    case = make_case(team=other_team, summary="Cerradura electrónica")
    Case.objects.filter(pk=case.pk).update(assignee=agent)  # e.g. kept after a team transfer
    assert case.folio in page_of(signed_in, "cerradura")


def test_a_manager_finds_cases_of_every_team(client, manager, team, other_team):
    first = make_case(team=team, summary="Cargo no reconocido")
    second = make_case(team=other_team, summary="Cargo duplicado")
    client.force_login(manager)
    page = page_of(client, "cargo")
    assert first.folio in page and second.folio in page


def test_messages_are_found_with_their_case(signed_in, team):
    case = make_case(team=team, summary="Consulta", message_text="Mi departamento tiene goteras")
    services.add_inbound_message(
        case=case,
        actor=Actor.system("tests"),
        channel="whatsapp",
        body_text="Las goteras siguen en la recámara",
    )
    page = page_of(signed_in, "gotera", tipo="messages")
    assert page.count("<mark>goteras</mark>") == 2 and case.folio in page


def test_customers_are_found_by_name_and_company(signed_in):
    CustomerFactory(name="Guadalupe Muñoz", company="Constructora Andina")
    page = page_of(signed_in, "munoz andina")
    assert "Guadalupe Muñoz" in page and "Clientes" in page


def test_customers_are_found_by_a_document_in_their_custom_fields(signed_in):
    CustomerFactory(name="Daniela Flores", custom_fields={"rfc": "FOLD850101AB3"})
    assert "Daniela Flores" in page_of(signed_in, "FOLD850101AB3", tipo="customers")


def test_merged_customers_are_not_listed(signed_in):
    target = CustomerFactory(name="Matías Rojas")
    CustomerFactory(name="Matías Rojas Soto", merged_into=target)
    page = page_of(signed_in, "matias rojas", tipo="customers")
    assert "Matías Rojas Soto" not in page and "Matías Rojas" in page


def test_html_in_a_message_is_escaped_in_its_snippet(signed_in, team):
    make_case(
        team=team,
        summary="Consulta",
        message_text='Hola <script>alert("x")</script><img src=x onerror=alert(1)> reembolso',
    )
    page = page_of(signed_in, "reembolso")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page and "<mark>reembolso</mark>" in page


def test_results_are_grouped_with_counts(signed_in, team):
    customer = CustomerFactory(name="Infonavit Pérez")
    make_case(team=team, customer=customer, summary="Crédito Infonavit", message_text="Infonavit")
    page = page_of(signed_in, "infonavit")
    for title in ("Casos", "Clientes", "Mensajes"):
        assert f'{title} <span class="count">1</span>' in page


def test_a_group_is_paginated(signed_in, team):
    for n in range(25):
        make_case(team=team, summary=f"Garantía de lavadora {n}")
    first = page_of(signed_in, "garantia", tipo="cases")
    second = page_of(signed_in, "garantia", tipo="cases", pagina=2)
    assert first.count("data-row") == 20 and second.count("data-row") == 5
    assert "pagina=2" in first and "pagina=1" in second


def test_nothing_found_says_so(signed_in):
    assert "No encontramos nada" in page_of(signed_in, "zzzyyyxxx")


def test_a_one_letter_query_is_too_short(signed_in):
    assert "al menos 2 caracteres" in page_of(signed_in, "a")


def test_a_query_over_the_limit_is_refused_clearly(signed_in):
    response = search(signed_in, "x" * (MAX_QUERY_CHARS + 1))
    assert response.status_code == 400
    assert f"como máximo {MAX_QUERY_CHARS} caracteres" in response.content.decode()


def test_too_many_searches_are_refused_for_a_minute(signed_in, settings):
    settings.ATIENDE_SEARCH_PER_MINUTE = 2
    assert search(signed_in, "uno").status_code == 200
    assert search(signed_in, "dos").status_code == 200
    response = search(signed_in, "tres")
    assert response.status_code == 429 and "Espere un minuto" in response.content.decode()


def test_counts_stop_at_the_cap(signed_in, team, monkeypatch):
    monkeypatch.setattr("atiende.search.selectors.CANDIDATES", 3)
    for _ in range(5):
        make_case(team=team, summary="Entrega del departamento")
    assert '<span class="count">3+</span>' in page_of(signed_in, "entrega")


def test_the_newest_matches_are_found_first_and_old_rare_ones_still_are(
    signed_in, team, monkeypatch
):
    """PostgreSQL looks in growing windows of the newest ids; force them on a small table."""
    monkeypatch.setattr("atiende.search.selectors.MIN_WINDOW", 0)
    monkeypatch.setattr("atiende.search.selectors.CANDIDATES", 5)
    oldest = make_case(team=team, summary="Consulta", message_text="Escritura notariada")
    cases = [make_case(team=team, summary=f"Caso {n}", message_text="Sin luz") for n in range(40)]
    page = page_of(signed_in, "luz", tipo="messages")
    assert all(case.folio in page for case in cases[-5:])
    assert cases[0].folio not in page
    assert oldest.folio in page_of(signed_in, "notariada", tipo="messages")


# --- jumps ---------------------------------------------------------------------------------------


def test_a_folio_goes_straight_to_the_case(signed_in, team):
    case = make_case(team=team)
    for q in (case.folio, case.folio.lower(), f"  {case.folio} "):
        response = search(signed_in, q)
        assert response.status_code == 302
        assert response["Location"] == reverse("web:case", args=[case.folio])


def test_another_teams_folio_does_not_jump(signed_in, other_team):
    case = make_case(team=other_team)
    response = search(signed_in, case.folio)
    assert response.status_code == 200
    assert reverse("web:case", args=[case.folio]) not in response.content.decode()


def _goes_to_profile(response, customer) -> bool:
    """The response is a redirect to the customer's profile."""
    return response.status_code == 302 and response["Location"] == reverse(
        "web:customer", args=[customer.pk]
    )


def test_an_email_goes_to_its_customer(signed_in):
    identity = IdentityFactory(address="lucia.diaz@correo.test")
    for q in ("lucia.diaz@correo.test", "Lucia.Diaz@Correo.TEST"):
        assert _goes_to_profile(search(signed_in, q), identity.customer)


@pytest.mark.parametrize(
    "q", ["+52 55 1234 5678", "55 1234 5678", "(55) 1234-5678", "5512345678", "+525512345678"]
)
def test_a_phone_number_in_any_format_goes_to_its_customer(signed_in, q):
    identity = IdentityFactory(kind="phone", address="+525512345678")
    assert _goes_to_profile(search(signed_in, q), identity.customer)


def test_a_whatsapp_number_goes_to_its_customer(signed_in):
    identity = IdentityFactory(kind="whatsapp", address="525587654321")
    assert _goes_to_profile(search(signed_in, "+52 55 8765 4321"), identity.customer)


def test_an_email_of_a_merged_customer_goes_to_the_one_it_was_merged_into(signed_in):
    target = CustomerFactory(name="Valentina Soto")
    source = CustomerFactory(name="Vale Soto", merged_into=target)
    Identity.objects.create(customer=source, kind="email", address="vale@correo.test")
    assert _goes_to_profile(search(signed_in, "vale@correo.test"), target)


def test_an_unknown_email_searches_as_text(signed_in, team):
    case = make_case(team=team, summary="Escribió desde nadie@correo.test")
    response = search(signed_in, "nadie@correo.test")
    assert response.status_code == 200 and case.folio in response.content.decode()


# --- the index follows the data ------------------------------------------------------------------


def test_an_edited_summary_is_found_by_its_new_words_only(signed_in, team):
    case = make_case(team=team, summary="Pedido de cocina integral")
    case.summary = "Pedido de closet"
    case.save(update_fields=["summary"])
    assert case.folio in page_of(signed_in, "closet")
    assert case.folio not in page_of(signed_in, "cocina")


def test_a_renamed_customer_is_found_by_the_new_name(signed_in):
    customer = CustomerFactory(name="Camila Flores")
    IdentityFactory(customer=customer)
    customer.name = "Camila Ortega"
    customer.save()
    assert "Camila Ortega" in page_of(signed_in, "ortega", tipo="customers")
    assert "Camila Ortega" not in page_of(signed_in, "flores", tipo="customers")


# --- cost ----------------------------------------------------------------------------------------


def test_the_results_page_query_count_does_not_grow_with_matches(
    signed_in, team, django_assert_max_num_queries
):
    for n in range(12):
        customer = CustomerFactory(name=f"Cliente reembolso {n}")
        IdentityFactory(customer=customer)
        make_case(team=team, customer=customer, summary="Reembolso", message_text="reembolso")
    # Session, user, unread notices, the user's teams, (PostgreSQL: id ranges,) then per group
    # its ranked ids and one fetch of the rows shown (customers: + their identities).
    with django_assert_max_num_queries(13):
        page = page_of(signed_in, "reembolso")
    assert page.count("data-row") == 15
    with django_assert_max_num_queries(11):
        assert page_of(signed_in, "reembolso", tipo="messages").count("data-row") == 12
