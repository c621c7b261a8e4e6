"""The steps of the intention letter: each one authorises, locks, fires and logs through the engine, then opens
what the next stage needs (version, expected opinions, deadlines, PDF, notifications)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Stage
from accounts.models import RegionalSettings
from cpts_portal.related import related_or_none
from diagnostics.selectors import territory_size

from ..calculations import add_months, split_instalments
from ..choices import DeadlineKind, DecisionOutcome, DocumentKind, EventType
from ..models import (
    ComplementFieldComment,
    ComplementRequest,
    DossierVersion,
    ExpectedOpinion,
    FirInstalment,
    IntentionLetter,
    LetterDecision,
    PreparedDecision,
    StatusTransition,
)
from ..notifications import event_record
from ..selectors.letters import accompaniment_terms, letter_snapshot
from ..services import deadline_create, document_request, opinion_round_open, version_create
from .engine import Actor, current_version, deadline_at, fire, submitted_version, transition
from .letter import TRANSITION_RULES, actor_organisation, letter_region_id, letter_settings, missing_opinions


def frozen_settings(letter: IntentionLetter) -> RegionalSettings:
    """The regional settings a letter was frozen under at its first submission (``letter_submit`` sets them)."""
    if letter.regional_settings is None:
        raise ValidationError(_("Cette lettre n'a pas encore été déposée."))
    return letter.regional_settings


def letter_submit(*, letter: IntentionLetter, by, comment: str = "") -> DossierVersion:
    """Freeze the letter as version N+1 and send it to the desk of its region."""

    with transition(letter, "submit", by=by) as letter:
        first = letter.current_version_number == 0
        if first:
            # The rules in force at the first submission stay the letter's rules until its decision.
            settings = letter_settings(letter)
            letter.instructing_region_id = letter_region_id(letter)
            letter.regional_settings = settings
            letter.circuit = settings.letter_circuit
        version = version_create(dossier=letter, data=letter_snapshot(letter), by=by)
        letter.current_version_number = version.number
        fire(letter, "submit", by=by, comment=comment, version=version)
        ComplementRequest.objects.filter(
            content_type=version.content_type, object_id=letter.pk, answered_by_version__isnull=True
        ).update(answered_by_version=version)
        settings = frozen_settings(letter)
        if first and settings.first_meeting_delay_days:
            deadline_create(
                dossier=letter,
                kind=DeadlineKind.FIRST_MEETING,
                due_at=version.submitted_at + dt.timedelta(days=settings.first_meeting_delay_days),
            )
        event_record(dossier=letter, type=EventType.LETTER_SUBMITTED, actor=by, payload={"version": version.number})
        document_request(version=version, kind=DocumentKind.LETTER)
    return version


def letter_open_review(*, letter: IntentionLetter, by, comment: str = "") -> list[ExpectedOpinion]:
    """The desk takes the letter and asks each reviewing organisation of the region for its opinion."""

    with transition(letter, "open_review", by=by) as letter:
        version = submitted_version(letter)
        fire(letter, "open_review", by=by, comment=comment, version=version)
        now = timezone.now()
        # A region without a letter circuit asks nobody (as a circuit without reviewers): the desk decides alone.
        circuit = frozen_settings(letter).circuit(Stage.LETTER)
        reviewers = list(circuit.reviewers.all()) if circuit else []
        due = now + dt.timedelta(days=circuit.opinion_delay_days if circuit else 0)
        expected = opinion_round_open(version=version, organisations=reviewers, due_at=due)
        # Two audiences, two events: the reviewers are asked for their opinion, the CPTS learns its letter is taken in.
        event_record(dossier=letter, type=EventType.LETTER_REVIEW_OPENED, actor=by, payload={"version": version.number})
        event_record(
            dossier=letter,
            type=EventType.LETTER_TAKEN_IN,
            actor=by,
            payload={
                "version": version.number,
                "organisation": circuit.desk.name if circuit and circuit.desk else "",
            },
        )
    return expected


def letter_request_complements(
    *, letter: IntentionLetter, by, reason: str, message: str, field_comments: dict[str, str] | None = None
) -> ComplementRequest:
    """Send the letter back to the CPTS with a reason, a message and comments on the fields concerned."""

    if not (message or "").strip():
        raise ValidationError({"message": _("Expliquez ce qui est attendu.")})
    with transition(letter, "request_complements", by=by) as letter:
        actors = TRANSITION_RULES["request_complements"].actors[letter.status]
        version = submitted_version(letter)
        request = ComplementRequest(
            dossier=letter,
            version=version,
            organisation=actor_organisation(by, letter, actors),
            requested_by=by,
            reason=reason,
            message=message,
            created_at=timezone.now(),
        )
        request.full_clean(exclude=["content_type", "object_id"])
        request.save()
        ComplementFieldComment.objects.bulk_create(
            ComplementFieldComment(request=request, field_path=path, comment=text)
            for path, text in (field_comments or {}).items()
            if text.strip()
        )
        fire(letter, "request_complements", by=by, comment=message, version=version)
        event_record(
            dossier=letter,
            type=EventType.LETTER_COMPLEMENTS_REQUESTED,
            actor=by,
            payload={"reason": request.get_reason_display(), "organisation": request.organisation.name},
        )
    return request


def letter_transmit(*, letter: IntentionLetter, by, comment: str = "") -> StatusTransition:
    """The desk sends the letter with the opinions and its consolidated opinion to the ARS. With opinions still
    missing it goes on once the regional delay has passed, or earlier by stating why; the log row keeps who was
    missing, whether the delay had passed, and the motive, for the ARS to read."""

    comment = (comment or "").strip()
    with transition(letter, "transmit", by=by) as letter:
        missing = missing_opinions(letter)
        details = {}
        if missing:
            if not missing.delay_passed and not comment:
                raise ValidationError(
                    {
                        "comment": _(
                            "Des avis sont encore attendus (%(names)s) et leur délai court jusqu'au %(due)s : "
                            "indiquez pourquoi vous transmettez sans les attendre."
                        )
                        % {"names": ", ".join(missing.names), "due": missing.due_text}
                    }
                )
            details = {"missing_opinions": missing.names, "delay_passed": missing.delay_passed}
        log = fire(letter, "transmit", by=by, comment=comment, version=current_version(letter), details=details)
        event_record(dossier=letter, type=EventType.LETTER_TRANSMITTED, actor=by, payload=details)
    return log


def letter_prepare_decision(
    *,
    letter: IntentionLetter,
    by,
    outcome: str,
    motive: str,
    fir_amount=None,
    fir_instalments: int | None = None,
    fir_period_months: int | None = None,
    accompaniment_amount=None,
    commitment_months: int | None = None,
    support_days: int | None = None,
):
    """An ARS agent instructs the dossier and prepares the decision for a decider to sign: one prepared decision
    per letter (preparing again replaces it), and a log row each time, so the history shows who prepared what."""

    if outcome not in (DecisionOutcome.VALIDATED, DecisionOutcome.REFUSED):
        raise ValidationError({"outcome": _("Choisissez « validée » ou « refusée ».")})
    if not (motive or "").strip():
        raise ValidationError({"motive": _("Indiquez le motif de la décision.")})
    with transition(letter, "prepare_decision", by=by) as letter:
        settings = frozen_settings(letter)
        _check_support(settings, outcome=outcome, commitment_months=commitment_months, support_days=support_days)
        version = submitted_version(letter)
        validated = outcome == DecisionOutcome.VALIDATED
        prepared, _created = PreparedDecision.objects.update_or_create(
            letter=letter,
            defaults={
                "version": version,
                "outcome": outcome,
                "motive": motive.strip(),
                "fir_amount": fir_amount if validated and not settings.funds_support else None,
                "fir_instalments": fir_instalments,
                "fir_period_months": fir_period_months,
                "accompaniment_amount": accompaniment_amount if validated else None,
                "commitment_months": commitment_months if validated else None,
                "support_days": support_days if validated else None,
                "prepared_by": by,
                "organisation": actor_organisation(by, letter, frozenset({Actor.ARS})),
                "prepared_at": timezone.now(),
            },
        )
        fire(
            letter,
            "prepare_decision",
            by=by,
            comment=motive.strip(),
            version=version,
            details={"outcome": outcome, "outcome_label": str(DecisionOutcome(outcome).label)},
        )
    return prepared


def _check_support(settings, *, outcome: str, commitment_months: int | None, support_days: int | None) -> None:
    """Where a validation opens support by a structure d'appui, its length stays within the regional maximum."""
    if outcome != DecisionOutcome.VALIDATED or not settings.funds_support:
        return
    if settings.support_months and commitment_months and commitment_months > settings.support_months:
        raise ValidationError(
            {
                "commitment_months": _("L'accompagnement par une structure d'appui dure au plus %(n)s mois.")
                % {"n": settings.support_months}
            }
        )
    if support_days is not None and support_days <= 0:
        raise ValidationError({"support_days": _("Indiquez un nombre de journées d'appui positif.")})


def letter_decide(
    *,
    letter: IntentionLetter,
    by,
    outcome: str,
    motive: str,
    decided_on: dt.date,
    fir_amount=None,
    instalments: list | None = None,
    accompaniment_amount=None,
    commitment_months: int | None = None,
    support_days: int | None = None,
) -> LetterDecision:
    """A decider signs the decision: validate or refuse with a motive, as an agent prepared it or amended. A
    validation records what the regional settings open: the FIR grant and its instalments, or the support by a
    structure d'appui (days, up to ``support_months``); and the accompaniment commitment and its deadline."""

    if outcome not in (DecisionOutcome.VALIDATED, DecisionOutcome.REFUSED):
        raise ValidationError({"outcome": _("Choisissez « validée » ou « refusée ».")})
    if not (motive or "").strip():
        raise ValidationError({"motive": _("Indiquez le motif de la décision.")})
    name = "validate" if outcome == DecisionOutcome.VALIDATED else "refuse"
    with transition(letter, name, by=by) as letter:
        actors = TRANSITION_RULES[name].actors[letter.status]
        version = submitted_version(letter)
        settings = frozen_settings(letter)
        _check_support(settings, outcome=outcome, commitment_months=commitment_months, support_days=support_days)
        prepared = related_or_none(letter, "prepared_decision")
        decision = LetterDecision(
            letter=letter,
            version=version,
            outcome=outcome,
            motive=motive,
            decided_on=decided_on,
            decided_by=by,
            organisation=actor_organisation(by, letter, actors),
            prepared_by=prepared.prepared_by if prepared and prepared.version_id == version.pk else None,
        )
        deadline_kind = None
        if outcome == DecisionOutcome.VALIDATED:
            if settings.funds_support:
                decision.support_days = support_days
            else:
                decision.fir_amount = fir_amount if fir_amount is not None else settings.fir_engineering_amount
            population = version.data.get("territory", {}).get("population")
            terms = accompaniment_terms(population=population, on=decided_on)
            decision.accompaniment_size = terms.size if terms else (territory_size(population) if population else None)
            decision.accompaniment_amount = (
                accompaniment_amount if accompaniment_amount is not None else (terms.amount if terms else None)
            )
            months = commitment_months or (terms.months if terms and terms.months else None) or settings.support_months
            if not months:
                raise ValidationError(
                    {"commitment_months": _("Indiquez le délai d'engagement (en mois) de l'accompagnement.")}
                )
            decision.accompaniment_deadline = add_months(decided_on, months)
            deadline_kind = DeadlineKind.SUPPORT if settings.funds_support else DeadlineKind.ACCOMPANIMENT
        decision.full_clean(exclude=["letter", "version"])
        decision.save()
        if decision.fir_amount is not None:
            if instalments is None:
                instalments = [
                    (i.amount, i.due_on)
                    for i in split_instalments(
                        amount=decision.fir_amount,
                        count=settings.fir_instalments,
                        start=decided_on,
                        period_months=settings.fir_period_months,
                    )
                ]
            if sum((amount for amount, _due in instalments), start=type(decision.fir_amount)(0)) != decision.fir_amount:
                raise ValidationError({"instalments": _("La somme des versements doit égaler la subvention FIR.")})
            FirInstalment.objects.bulk_create(
                FirInstalment(decision=decision, number=n, amount=amount, due_on=due)
                for n, (amount, due) in enumerate(instalments, start=1)
            )
        if deadline_kind and decision.accompaniment_deadline:
            deadline_create(
                dossier=letter,
                kind=deadline_kind,
                due_at=deadline_at(decision.accompaniment_deadline),
            )
        letter.deadlines.filter(kind=DeadlineKind.FIRST_MEETING, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
        details = {}
        if prepared is not None and decision.prepared_by_id:
            details = {
                "prepared_by": prepared.prepared_by.get_full_name() or prepared.prepared_by.email,
                "amended": prepared.outcome != outcome or prepared.motive.strip() != motive.strip(),
            }
        fire(letter, name, by=by, comment=motive, version=version, details=details)
        event_record(
            dossier=letter,
            type=EventType.LETTER_VALIDATED if name == "validate" else EventType.LETTER_REFUSED,
            actor=by,
            payload={"motive": motive},
        )
        document_request(version=version, kind=DocumentKind.LETTER_DECISION)
    return decision


def letter_withdraw(*, letter: IntentionLetter, by, comment: str = "") -> StatusTransition:
    """The coordinator abandons the project; open deadlines close, the log keeps everything."""

    with transition(letter, "withdraw", by=by) as letter:
        was_submitted = letter.current_version_number > 0
        log = fire(letter, "withdraw", by=by, comment=comment, version=current_version(letter))
        letter.deadlines.filter(closed_at__isnull=True).update(closed_at=timezone.now())
        if was_submitted:
            event_record(dossier=letter, type=EventType.LETTER_WITHDRAWN, actor=by, payload={"comment": comment})
    return log
