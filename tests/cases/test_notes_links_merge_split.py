import pytest
from django.core.files.base import ContentFile

from atiende.cases import services
from atiende.cases.attachments import AttachmentRejected, add_attachment
from atiende.cases.models import ClosureReason, Status, Verb
from atiende.core.actors import Actor
from tests.factories.accounts import UserFactory
from tests.factories.cases import make_case


def test_a_note_records_its_mentions(db, agent):
    beto = UserFactory(username="beto")
    note = services.add_note(
        case=make_case(), body="@beto revisa el contrato, cc @nadie", actor=Actor.agent(agent)
    )
    assert list(note.mentions.all()) == [beto]
    assert note.case.events.last().after["mentions"] == ["beto"]


def test_linking_logs_on_both_cases(db, agent):
    a, b = make_case(), make_case()
    services.link_cases(case=a, other=b, kind="related", actor=Actor.agent(agent))
    assert a.events.filter(verb=Verb.LINKED).get().after == {"case": b.folio, "kind": "related"}
    assert b.events.filter(verb=Verb.LINKED).get().after == {"case": a.folio, "kind": "related"}


def test_merge_moves_messages_and_closes_the_source(db, agent):
    source = make_case(message_text="Primer correo")
    target = make_case(message_text="Segundo correo")
    services.merge_cases(source=source, target=target, actor=Actor.agent(agent))
    source.refresh_from_db()
    assert (source.status, source.closure_reason, source.merged_into) == (
        Status.CLOSED,
        ClosureReason.MERGED,
        target,
    )
    assert target.messages.count() == 2
    assert target.events.filter(verb=Verb.ABSORBED).exists()


def test_split_moves_the_chosen_messages_to_a_new_case(db, agent):
    case = make_case(message_text="Falla en el equipo")
    extra = services.add_inbound_message(
        case=case, body_text="Además quiero cotizar", channel="email", actor=Actor.customer("x")
    )
    new_case = services.split_case(
        case=case, message_ids=[extra.pk], summary="Cotización", actor=Actor.agent(agent)
    )
    assert list(new_case.messages.all()) == [extra]
    assert new_case.split_from == case and new_case.customer == case.customer
    assert case.events.filter(verb=Verb.SPLIT).get().after["new_case"] == new_case.folio


def test_split_refuses_messages_of_another_case(db, agent):
    other = make_case(message_text="otro")
    with pytest.raises(services.CaseValidationError):
        services.split_case(
            case=make_case(),
            message_ids=[other.messages.get().pk],
            summary="x",
            actor=Actor.agent(agent),
        )


def test_an_attachment_is_stored_with_its_digest(db, agent):
    case = make_case()
    attachment = add_attachment(
        case=case, file=ContentFile(b"%PDF-1.4 ...", name="factura.pdf"), actor=Actor.agent(agent)
    )
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "factura.pdf",
        "application/pdf",
        12,
    )
    assert case.events.filter(verb=Verb.ATTACHMENT_ADDED).exists()


@pytest.mark.parametrize("name", ["virus.exe", "../../etc/script.sh"])
def test_forbidden_types_are_rejected(db, agent, name):
    with pytest.raises(AttachmentRejected):
        add_attachment(
            case=make_case(), file=ContentFile(b"x", name=name), actor=Actor.agent(agent)
        )


def test_oversized_attachments_are_rejected_before_storing(db, agent, settings):
    settings.ATIENDE_MAX_ATTACHMENT_BYTES = 10
    case = make_case()
    with pytest.raises(AttachmentRejected, match="máximo"):
        add_attachment(
            case=case, file=ContentFile(b"x" * 11, name="foto.jpg"), actor=Actor.agent(agent)
        )
    assert not case.attachments.exists()
