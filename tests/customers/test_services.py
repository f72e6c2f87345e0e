import pytest

from atiende.cases import services as case_services
from atiende.cases.models import Verb
from atiende.core.actors import Actor
from atiende.customers import services
from atiende.customers.addresses import InvalidAddress, normalise_address
from atiende.customers.models import ConsentMethod, ConsentPurpose, CustomerEvent, Identity
from atiende.customers.selectors import has_consent
from tests.factories.cases import make_case
from tests.factories.customers import CustomerFactory, IdentityFactory

SYSTEM = Actor.system("tests")


@pytest.mark.parametrize(
    ("kind", "raw", "normalised"),
    [
        ("email", " Luz.Garcia@Correo.MX ", "luz.garcia@correo.mx"),
        ("phone", "55 1234 5678", "+525512345678"),
        ("phone", "+56 9 8765 4321", "+56987654321"),
        ("whatsapp", "5215512345678", "5215512345678"),
        ("instagram", "@luz.garcia", "@luz.garcia"),
    ],
)
def test_addresses_are_normalised(kind, raw, normalised):
    assert normalise_address(kind, raw) == normalised


@pytest.mark.parametrize(
    ("kind", "raw"), [("email", "no-es-correo"), ("phone", "12"), ("email", "")]
)
def test_bad_addresses_are_refused_with_a_message(kind, raw):
    with pytest.raises(InvalidAddress):
        normalise_address(kind, raw)


def test_it_creates_a_customer_with_every_address_given(db):
    customer, created = services.find_or_create_customer(
        actor=SYSTEM, name="Luz García", addresses={"email": "LUZ@correo.mx", "phone": "5512345678"}
    )
    assert created
    assert set(customer.identities.values_list("kind", "address")) == {
        ("email", "luz@correo.mx"),
        ("phone", "+525512345678"),
    }
    assert customer.events.get().verb == CustomerEvent.Verb.CREATED


def test_it_finds_the_customer_by_any_known_address_and_adds_the_new_one(db):
    customer, _ = services.find_or_create_customer(
        actor=SYSTEM, addresses={"phone": "+52 55 1234 5678"}
    )
    found, created = services.find_or_create_customer(
        actor=SYSTEM, addresses={"phone": "5512345678", "email": "luz@correo.mx"}
    )
    assert (found, created) == (customer, False)
    assert customer.identities.filter(kind="email", address="luz@correo.mx").exists()


def test_it_never_moves_an_address_that_belongs_to_someone_else(db):
    other = IdentityFactory(kind="email", address="compartido@correo.mx").customer
    customer, _ = services.find_or_create_customer(actor=SYSTEM, addresses={"phone": "5512345678"})
    services.find_or_create_customer(
        actor=SYSTEM, addresses={"phone": "5512345678", "email": "compartido@correo.mx"}
    )
    assert Identity.objects.get(address="compartido@correo.mx").customer == other


def test_add_identity_refuses_a_taken_address(db):
    IdentityFactory(kind="email", address="tomado@correo.mx")
    with pytest.raises(services.IdentityTaken):
        services.add_identity(
            customer=CustomerFactory(), kind="email", address="Tomado@correo.mx", actor=SYSTEM
        )


def test_update_logs_before_and_after(db):
    customer = CustomerFactory(company="")
    services.update_customer(customer=customer, company="Inmobiliaria Sol", actor=SYSTEM)
    event = customer.events.get(verb=CustomerEvent.Verb.UPDATED)
    assert (event.before, event.after) == ({"company": ""}, {"company": "Inmobiliaria Sol"})


def test_consent_history_is_kept_and_the_newest_record_wins(db, agent):
    customer = CustomerFactory()
    kwargs = dict(
        customer=customer,
        channel="whatsapp",
        purpose=ConsentPurpose.CONTACT,
        actor=Actor.agent(agent),
    )
    services.record_consent(
        is_granted=True, method=ConsentMethod.VERBAL, evidence="Llamada del 3/11", **kwargs
    )
    assert has_consent(customer, channel="whatsapp", purpose=ConsentPurpose.CONTACT)
    services.record_consent(
        is_granted=False, method=ConsentMethod.MESSAGE, evidence="Escribió BAJA", **kwargs
    )
    assert not has_consent(customer, channel="whatsapp", purpose=ConsentPurpose.CONTACT)
    assert customer.consents.count() == 2
    assert customer.consents.first().recorded_by == agent


def test_merge_moves_identities_and_cases_and_leaves_a_trail(db, agent):
    source = IdentityFactory(kind="phone", address="+525512345678").customer
    target = IdentityFactory(kind="email", address="luz@correo.mx").customer
    case = make_case(customer=source)
    case_services.merge_customers(source=source, target=target, actor=Actor.agent(agent))
    source.refresh_from_db()
    case.refresh_from_db()
    assert source.merged_into == target and case.customer == target
    assert target.identities.count() == 2
    assert target.events.filter(verb=CustomerEvent.Verb.ABSORBED).exists()
    assert case.events.filter(verb=Verb.CUSTOMER_CHANGED).exists()


def test_merge_of_a_customer_with_itself_is_refused(db, agent):
    customer = CustomerFactory()
    with pytest.raises(services.CustomerError):
        case_services.merge_customers(source=customer, target=customer, actor=Actor.agent(agent))
