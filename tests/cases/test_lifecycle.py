"""The CA3 lifecycle: validated, configurable transitions.

Resolving needs a solution; closing needs a reason.
"""

import pytest

from atiende.cases import services
from atiende.cases.models import ClosureReason, Status, StatusTransition, Verb
from atiende.core.actors import Actor
from tests.factories.cases import make_case


@pytest.fixture
def actor(agent):
    return Actor.agent(agent)


def test_it_moves_along_an_allowed_transition_and_logs_it(db, actor):
    case = services.change_status(case=make_case(), status=Status.IN_PROGRESS, actor=actor)
    event = case.events.last()
    assert (event.verb, event.before, event.after) == (
        Verb.STATUS_CHANGED,
        {"status": "new"},
        {"status": "in_progress"},
    )
    assert event.actor == actor.user


def test_it_refuses_a_transition_that_is_not_configured(db, actor):
    case = make_case()
    services.change_status(case=case, status=Status.IN_PROGRESS, actor=actor)
    with pytest.raises(services.InvalidTransition):
        services.change_status(case=case, status=Status.CLOSED, actor=actor)


def test_transitions_are_data_that_administrators_can_change(db, actor):
    StatusTransition.objects.create(from_status=Status.IN_PROGRESS, to_status=Status.CLOSED)
    case = services.change_status(case=make_case(), status=Status.IN_PROGRESS, actor=actor)
    services.change_status(
        case=case, status=Status.CLOSED, actor=actor, closure_reason=ClosureReason.SPAM
    )


def test_resolving_needs_a_solution(db, actor):
    case = make_case()
    with pytest.raises(services.CaseValidationError):
        services.change_status(case=case, status=Status.RESOLVED, actor=actor)
    case.refresh_from_db()
    assert case.status == Status.NEW and case.events.count() == 1


def test_closing_needs_a_reason_and_records_satisfaction(db, actor):
    case = services.change_status(
        case=make_case(), status=Status.RESOLVED, actor=actor, solution="Se envió la factura"
    )
    with pytest.raises(services.CaseValidationError):
        services.change_status(case=case, status=Status.CLOSED, actor=actor)
    case = services.change_status(
        case=case,
        status=Status.CLOSED,
        actor=actor,
        closure_reason=ClosureReason.CONFIRMED,
        satisfaction_confirmed=True,
    )
    assert case.closed_at and case.satisfaction_confirmed is True


def test_a_stale_version_is_refused(db, actor):
    case = make_case()
    stale = case.version
    services.change_status(case=case, status=Status.OPEN, actor=actor)
    with pytest.raises(services.StaleCase):
        services.change_status(
            case=case, status=Status.IN_PROGRESS, actor=actor, expected_version=stale
        )


def test_labels_are_spanish():
    assert [
        Status(s).label for s in ("open", "in_progress", "escalated", "resolved", "closed")
    ] == [
        "Abierto",
        "En proceso",
        "Escalado",
        "Resuelto",
        "Cerrado",
    ]


def test_an_unknown_priority_is_refused_and_nothing_changes(db, actor):
    case = make_case()
    version = case.version
    with pytest.raises(services.CaseValidationError, match="Prioridad desconocida"):
        services.update_case_fields(case=case, priority="altisima", actor=actor)
    case.refresh_from_db()
    assert case.priority == "normal" and case.version == version
    assert not case.events.filter(verb=Verb.FIELDS_CHANGED).exists()
