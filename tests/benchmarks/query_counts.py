"""Query counts of every list and detail page at two data sizes, 10 letters then 1 000 (issue 14, points 3 and 5).

The world is the authorization matrix's (``tests.authz.world``: two letters in Occitanie, one under review with
opinions, messages and an internal note). ``grow`` adds letters, one new CPTS each, in every state of the lifecycle
in turn (draft, submitted, under review with opinions owed, complements requested, transmitted with the desk's
consolidated opinion and a prepared decision, validated, refused, abandoned after its review opened or before its
deposit), with what each state carries: its version and PDF, its log of transitions, its expected opinions and the
opinions received with their answers, a message and an internal note, complement requests, decisions, deadlines,
events with the personas' notifications, the CPTS's stage, territory, budget and action plan.

The small world has one letter per state in each region: the personas of Occitanie see ten letters, those of La
Réunion eight, so that every persona sees every state it may see at both sizes (a list that reads more rows only
for, say, a validated letter is then measured alike at both sizes). Its CPTS touch both départements of Occitanie
(both delegations and both CPAM act for them). The large world has 1 000 letters, nine in ten in Occitanie, a third
of those in both départements and the rest in one of them.

The other rows the pages show grow with the letters: the CPTS a person belongs to (the coordinator, the member and
the sister's coordinator join every CPTS of the small world, then one in ten: about 110 CPTS each at the large
size; the administrator joins none, or its lists would send it to its one CPTS as the matrix says), and one member,
partner, inclusion action, document, fiche with its indicator, message and internal note on the letter under review
per five letters for the owning CPTS. Rows are written with ``bulk_create``, with the values the services write (a
thousand letters through the services would take minutes).

``pages`` lists what is measured: every list (``is_list``) as every persona the matrix lets read it, every other page
as its first persona, and the letter's page as a reviewer too; the health project's pages and the signature pages as
every persona that may read them (``EVERY_READER``). ``measure`` requests each one in a rolled-back
savepoint and counts its queries (savepoints aside).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.authz.matrix import Sessions, declared_rules

# The small world: the matrix's two letters and one letter per state in each region, so that the personas of
# Occitanie see ten letters (those of La Réunion eight); the large one: a thousand letters in all.
SMALL_NEW = 2 * 8
SMALL_REUNION = range(8, 16)
SMALL, LARGE = 10, 1000
PREFERRED = ("coordinator", "member", "desk", "urps", "ars", "health_insurance", "admin", "anonymous")
# Pages that are not lists or details (authentication forms, static pages) are not measured.
SKIPPED_PREFIXES = ("accounts:login", "accounts:password", "accounts:otp", "accounts:logout", "accounts:health")
# The pages whose rows grow with the data: each is measured as every persona that may read it.
LIST_SUFFIXES = ("_list", ":index")
LISTS_BESIDES = ("accounts:home",)  # "ce qui m'attend": every open dossier the person may act on
EXTRA = {"projects:letter_detail": ("urps",)}  # besides the first persona
# The health project's pages and the members' signatures (issue 16): measured as every persona that may read them (the
# CPTS, the ARS's agent and decider, each organisation consulted, the administrator; the signing link as anyone), and
# none may cost more queries with the data (the project's version is frozen data; its rounds, opinions and
# transitions are the project's own).
EVERY_READER = ("projects:health_project_", "governance:signature_")


@dataclass(frozen=True)
class Page:
    key: str  # "<url name> [<persona>]"
    name: str
    persona: str
    rule: object
    is_list: bool


def is_list(name: str) -> bool:
    return name.endswith(LIST_SUFFIXES) or name in LISTS_BESIDES


def pages() -> list[Page]:
    found = []
    for name, rule in sorted(declared_rules().items()):
        if name.startswith(SKIPPED_PREFIXES):
            continue
        readers = [p for p in PREFERRED if rule.GET[p] == "200"]
        if name.startswith(EVERY_READER) and not is_list(name):
            personas = [p for p, answer in rule.GET.items() if answer == "200"]
        elif is_list(name):
            personas = sorted(p for p, answer in rule.GET.items() if answer == "200" and p != "anonymous")
        else:
            personas = readers[:1] + [p for p in EXTRA.get(name, ()) if p not in readers[:1]]
        found += [Page(f"{name} [{p}]", name, p, rule, is_list(name)) for p in personas]
    return found


def measure(world, sessions: Sessions, selected: list[Page]) -> dict[str, int]:
    counts = {}
    for page in selected:
        client = sessions.client(page.persona)
        url = reverse(page.name, kwargs=page.rule.kwargs(world))
        cache.clear()  # no answer cached by the previous size's requests
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
            transaction.set_rollback(True)
        assert response.status_code == 200, f"{page.key} : {response.status_code}"
        counts[page.key] = sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])
    return counts


def measure_both(selected: list[Page] | None = None) -> dict[str, dict[str, int]]:
    """Build the world, measure at 10 letters, grow to 1 000, measure again (all rolled back)."""
    from tests.authz.world import build_world

    selected = pages() if selected is None else selected
    with transaction.atomic():
        world = build_world()
        sessions = Sessions(world)
        grow(world, start=0, count=SMALL_NEW)
        small = measure(world, sessions, selected)
        grow(world, start=SMALL_NEW, count=LARGE - 2 - SMALL_NEW)
        large = measure(world, sessions, selected)
        transaction.set_rollback(True)
    return {key: {"small": small[key], "large": large[key]} for key in small}


# --- Growing the world ------------------------------------------------------------------------------------------

LIFECYCLE = (
    "draft",
    "submitted",
    "under_review",
    "complements_requested",
    "transmitted",
    "validated",
    "refused",
    "abandoned",
)
PATHS = {  # the transitions that lead to each state (source, name, target)
    "draft": [],
    "submitted": [("draft", "submit", "submitted")],
    "under_review": [("draft", "submit", "submitted"), ("submitted", "open_review", "under_review")],
    "complements_requested": [
        ("draft", "submit", "submitted"),
        ("submitted", "open_review", "under_review"),
        ("under_review", "request_complements", "complements_requested"),
    ],
    "transmitted": [
        ("draft", "submit", "submitted"),
        ("submitted", "open_review", "under_review"),
        ("under_review", "transmit", "transmitted"),
        ("transmitted", "prepare_decision", "transmitted"),
    ],
}
PATHS["validated"] = PATHS["transmitted"] + [("transmitted", "validate", "validated")]
PATHS["refused"] = PATHS["transmitted"] + [("transmitted", "refuse", "refused")]
REVIEWED = {"under_review", "complements_requested", "transmitted", "validated", "refused"}
DECIDED = {"validated", "refused"}


def _state(i: int) -> tuple[str, list]:
    state = LIFECYCLE[i % len(LIFECYCLE)]
    if state == "abandoned":  # one in two after its review opened, the other before its deposit
        path = PATHS["under_review"] if (i // len(LIFECYCLE)) % 2 == 0 else []
        return state, [*path, (path[-1][2] if path else "draft", "withdraw", "abandoned")]
    return state, PATHS[state]


def grow(world, *, start: int, count: int) -> None:  # noqa: PLR0915 (one builder, in the order of the rows)
    """Add ``count`` letters (numbers ``start``..), each of a new CPTS, and the rows that come with them."""
    from django.contrib.contenttypes.models import ContentType

    from accounts.choices import Role, Stage
    from accounts.models import Departement, Membership, Organisation, RegionalSettings, User
    from diagnostics.models import Commune, CptsStage, Territory, TerritoryCommune
    from funding.models import Budget
    from governance.models import GovernanceDocument, InclusionAction, Member, Partner
    from missions.models import ActionPlan, ActionSheet, SheetIndicator
    from projects.choices import (
        Assessment,
        Channel,
        ComplementReason,
        DeadlineKind,
        DecisionOutcome,
        DeliveryStatus,
        DocumentKind,
        EventType,
        LetterStatus,
        RenderStatus,
    )
    from projects.models import (
        ComplementRequest,
        Deadline,
        DossierMessage,
        DossierVersion,
        Event,
        ExpectedOpinion,
        IntentionLetter,
        LetterDecision,
        Notification,
        Opinion,
        OpinionAnswer,
        PreparedDecision,
        PrivateNote,
        RenderedDocument,
        StatusTransition,
    )
    from projects.selectors.letters import letter_grid
    from projects.workflows.letter import STATE_RULES

    now = timezone.now()
    numbers = range(start, start + count)
    users = world.users
    letter_type = ContentType.objects.get_for_model(IntentionLetter)
    model_version = DossierVersion.objects.get(content_type=letter_type, object_id=world.letter.pk, number=1)
    grid = letter_grid(world.letter)
    criteria = list(grid.criteria.all())
    haute_garonne, ariege = Departement.objects.get(code="31"), Departement.objects.get(code="09")

    def circuit_of(region):
        settings = RegionalSettings.objects.filter(region=region).order_by("-valid_from").first()
        circuit = settings.circuit(Stage.LETTER)
        reviewers = list(circuit.reviewers.order_by("pk"))
        people = {
            m.organisation_id: m.user
            for m in Membership.objects.filter(organisation__in=[circuit.desk, *reviewers], role=Role.REVIEWER)
            .select_related("user")
            .order_by("pk")
        }
        ars = Organisation.objects.get(region=region, kind="ars")
        decider = Membership.objects.filter(organisation=ars, role=Role.DECIDER).select_related("user").first()
        return settings, circuit.desk, reviewers, people, ars, decider.user if decider else users["ars"]

    regions = {world.region.pk: circuit_of(world.region), world.other_region.pk: circuit_of(world.other_region)}

    def region_of(i):
        return world.other_region if i in SMALL_REUNION or (i >= SMALL_NEW and i % 10 == 9) else world.region

    def departements_of(i):
        """The first ones and one in three touch both départements of Occitanie (both delegations and both CPAM act
        for them), the others one of them."""
        if region_of(i) == world.other_region:
            return [None]
        if i < SMALL_NEW or i % 3 == 0:
            return [haute_garonne, ariege]
        return [haute_garonne] if i % 3 == 1 else [ariege]

    filler, _created = User.objects.get_or_create(
        email="coordination.cpts-ajoutees@exemple.fr", defaults={"first_name": "Coordination", "last_name": "Ajoutée"}
    )
    cpts = Organisation.objects.bulk_create(
        Organisation(name=f"CPTS ajoutée {i:04d}", kind="cpts", region=region_of(i)) for i in numbers
    )
    # Who belongs to them: the personas of the CPTS's side join every one of the small world (they see every state
    # there), then one in ten each; the others have a coordinator of their own.
    memberships, owners = [], {}
    for i, org in zip(numbers, cpts, strict=True):
        if i < SMALL_NEW:
            joined = [
                ("coordinator", Role.COORDINATOR),
                ("member", Role.MEMBER),
                ("other_coordinator", Role.COORDINATOR),
            ]
        else:
            joined = {
                0: [("coordinator", Role.COORDINATOR)],
                1: [("member", Role.MEMBER), (None, Role.COORDINATOR)],
                2: [("other_coordinator", Role.COORDINATOR)],
            }.get(i % 10, [(None, Role.COORDINATOR)])
        for persona, role in joined:
            user = users[persona] if persona else filler
            memberships.append(Membership(user=user, organisation=org, role=role))
            if role == Role.COORDINATOR:
                owners.setdefault(org.pk, user)
    Membership.objects.bulk_create(memberships)
    for user in users.values():  # the memberships cached on the persona objects are stale
        user.__dict__.pop("_memberships_cache", None)
        user.__dict__.pop("_parts_cache", None)

    places = [(i, n, d) for i in numbers for n, d in enumerate(departements_of(i))]
    communes = Commune.objects.bulk_create(
        Commune(
            insee_code=f"{9 - n}{i:04d}",
            name=f"Commune ajoutée {i:04d}-{n}",
            search_name=f"commune ajoutee {i:04d}-{n}",
            postal_codes=[f"9{i:04d}"],
            population=2_000 + i,
            region=region_of(i),
            departement=departement,
        )
        for i, n, departement in places
    )
    territories = {
        org.pk: t
        for org, t in zip(
            cpts,
            Territory.objects.bulk_create(Territory(cpts=org, instructing_region=org.region) for org in cpts),
            strict=True,
        )
    }
    TerritoryCommune.objects.bulk_create(
        TerritoryCommune(territory=territories[cpts[i - start].pk], commune=c)
        for (i, _n, _d), c in zip(places, communes, strict=True)
    )
    budget = world.budget
    Budget.objects.bulk_create(
        Budget(organisation=org, scale=budget.scale, signed_on=budget.signed_on, taille=budget.taille)
        for i, org in zip(numbers, cpts, strict=True)
        if i % 2 == 0
    )
    ActionPlan.objects.bulk_create(ActionPlan(cpts=org) for i, org in zip(numbers, cpts, strict=True) if i % 3 == 0)

    # The letters, in every state.
    states = {org.pk: _state(i) for i, org in zip(numbers, cpts, strict=True)}
    submitted = {pk for pk, (_state_name, path) in states.items() if path and path[0][1] == "submit"}

    def frozen(org) -> dict:
        """What the first submission freezes on the letter (``letter_submit``)."""
        if org.pk not in submitted:
            return {}
        settings = regions[org.region_id][0]
        return {
            "current_version_number": 1,
            "instructing_region": org.region,
            "regional_settings": settings,
            "circuit": settings.letter_circuit,
        }

    letters = IntentionLetter.objects.bulk_create(
        IntentionLetter(
            cpts=org,
            status=states[org.pk][0],
            pilot_name="Dr Camille Martin",
            pilot_profession="Médecin généraliste",
            contact_email="pilote@exemple.fr",
            needs=world.letter.needs,
            project_description=world.letter.project_description,
            subsidy_amount=world.letter.subsidy_amount,
            **frozen(org),
        )
        for org in cpts
    )
    deposited = [letter for letter in letters if letter.current_version_number]
    versions = DossierVersion.objects.bulk_create(
        DossierVersion(
            content_type=letter_type,
            object_id=letter.pk,
            number=1,
            schema_version=model_version.schema_version,
            data=model_version.data,
            sha256=model_version.sha256,
            submitted_by=owners[letter.cpts_id],
            submitted_at=now - dt.timedelta(days=30),
        )
        for letter in deposited
    )
    version_of = {v.object_id: v for v in versions}
    RenderedDocument.objects.bulk_create(
        RenderedDocument(
            version=v,
            kind=DocumentKind.LETTER,
            status=RenderStatus.READY,
            file=world.document.file.name,
            sha256=world.document.sha256,
            size=world.document.size,
            requested_at=v.submitted_at,
            rendered_at=v.submitted_at,
        )
        for v in versions
    )

    transitions, expected, opinions, messages, notes, deadlines, requests, decisions, prepared = ([] for _ in range(9))
    events = []
    for letter in letters:
        state, path = states[letter.cpts_id]
        settings, desk, reviewers, people, ars, decider = regions[letter.cpts.region_id]
        owner, version = owners[letter.cpts_id], version_of.get(letter.pk)
        desk_user = people[desk.pk]
        actor = {"submit": owner, "withdraw": owner, "validate": decider, "refuse": decider}
        for n, (source, name, target) in enumerate(path):
            by = actor.get(name, users["ars"] if name == "prepare_decision" else desk_user)
            transitions.append(
                StatusTransition(
                    content_type=letter_type,
                    object_id=letter.pk,
                    transition=name,
                    source=source,
                    target=target,
                    by=by,
                    at=now - dt.timedelta(days=30 - n),
                    version=version,
                    details={"outcome": DecisionOutcome.VALIDATED} if name == "prepare_decision" else {},
                )
            )
        if version is None:
            continue
        events.append(
            Event(
                content_type=letter_type,
                object_id=letter.pk,
                type=EventType.LETTER_SUBMITTED,
                actor=owner,
                payload={"version": 1},
                created_at=version.submitted_at,
            )
        )
        messages.append(
            DossierMessage(
                content_type=letter_type,
                object_id=letter.pk,
                author=owner,
                organisation=letter.cpts,
                body="Bonjour, voici notre lettre.",
                created_at=version.submitted_at,
            )
        )
        if any(name == "open_review" for _s, name, _t in path):
            reviewed = state in REVIEWED or state == "abandoned"
            for k, org in enumerate(reviewers):
                # Under review, the reviewers answer in turn: some opinions are still owed (the URPS persona's too).
                received = state not in {"under_review", "abandoned"} or (letter.pk + k) % 2 == 0
                expected.append(
                    ExpectedOpinion(
                        content_type=letter_type,
                        object_id=letter.pk,
                        organisation=org,
                        version=version,
                        requested_at=now - dt.timedelta(days=28),
                        due_at=now + dt.timedelta(days=(letter.pk % 3 - 1) * 10),
                        received_at=now - dt.timedelta(days=20) if received and reviewed else None,
                    )
                )
                if received and reviewed:
                    opinions.append(
                        Opinion(
                            version=version,
                            organisation=org,
                            author=people[org.pk],
                            grid=grid,
                            overall=Assessment.FAVORABLE if k % 2 == 0 else Assessment.RESERVED,
                            comment="Avis motivé",
                            created_at=now - dt.timedelta(days=20),
                        )
                    )
            notes.append(
                PrivateNote(
                    content_type=letter_type,
                    object_id=letter.pk,
                    organisation=reviewers[0],
                    author=people[reviewers[0].pk],
                    body="Note interne",
                    created_at=now - dt.timedelta(days=19),
                )
            )
        if state in {"transmitted", "validated", "refused"}:
            opinions.append(
                Opinion(
                    version=version,
                    organisation=desk,
                    author=desk_user,
                    grid=grid,
                    is_consolidated=True,
                    overall=Assessment.FAVORABLE,
                    comment="Avis consolidé",
                    created_at=now - dt.timedelta(days=15),
                )
            )
            prepared.append(
                PreparedDecision(
                    letter=letter,
                    version=version,
                    outcome=DecisionOutcome.REFUSED if state == "refused" else DecisionOutcome.VALIDATED,
                    motive="Projet conforme au cahier des charges.",
                    prepared_by=users["ars"],
                    organisation=ars,
                    prepared_at=now - dt.timedelta(days=10),
                )
            )
        if state == "complements_requested":
            requests.append(
                ComplementRequest(
                    content_type=letter_type,
                    object_id=letter.pk,
                    version=version,
                    organisation=desk,
                    requested_by=desk_user,
                    reason=ComplementReason.INCOMPLETE,
                    message="Précisez les partenaires.",
                    created_at=now - dt.timedelta(days=12),
                )
            )
        if state in DECIDED:
            decisions.append(
                LetterDecision(
                    letter=letter,
                    version=version,
                    outcome=state,
                    motive="Projet conforme au cahier des charges."
                    if state == "validated"
                    else "Territoire en conflit.",
                    decided_on=(now - dt.timedelta(days=5)).date(),
                    decided_by=decider,
                    organisation=ars,
                )
            )
        if state == "validated":
            due = now + dt.timedelta(days=270)
            deadlines.append(
                Deadline(
                    content_type=letter_type,
                    object_id=letter.pk,
                    kind=DeadlineKind.ACCOMPANIMENT,
                    due_at=due,
                    alert_at=due - dt.timedelta(days=30),
                )
            )
        if settings.first_meeting_delay_days:
            due = version.submitted_at + dt.timedelta(days=settings.first_meeting_delay_days)
            deadlines.append(
                Deadline(
                    content_type=letter_type,
                    object_id=letter.pk,
                    kind=DeadlineKind.FIRST_MEETING,
                    due_at=due,
                    alert_at=due,
                )
            )
    StatusTransition.objects.bulk_create(transitions)
    ExpectedOpinion.objects.bulk_create(expected)
    Opinion.objects.bulk_create(opinions)
    OpinionAnswer.objects.bulk_create(
        OpinionAnswer(opinion=o, criterion=c, assessment=o.overall) for o in opinions for c in criteria
    )
    DossierMessage.objects.bulk_create(messages)
    PrivateNote.objects.bulk_create(notes)
    Deadline.objects.bulk_create(deadlines)
    ComplementRequest.objects.bulk_create(requests)
    LetterDecision.objects.bulk_create(decisions)
    PreparedDecision.objects.bulk_create(prepared)
    # Each deposit notifies every persona (their notification lists grow with the letters).
    events = Event.objects.bulk_create(events)
    Notification.objects.bulk_create(
        Notification(event=e, recipient=u, channel=Channel.PORTAL, status=DeliveryStatus.SENT, sent_at=e.created_at)
        for e in events
        for u in users.values()
    )
    # Where each CPTS stands, as ``letter_stage_record`` writes it.
    CptsStage.objects.bulk_create(
        CptsStage(
            cpts_id=letter.cpts_id,
            stage=Stage.LETTER,
            status=letter.status,
            label=f"lettre d'intention {LetterStatus(letter.status).label.lower()}",
            letter_submitted_once=letter.current_version_number > 0,
            letter_validated=letter.status == LetterStatus.VALIDATED,
            claims_territory=STATE_RULES[letter.status].claims_territory,
            territory_lock_reason="Le territoire est figé." if STATE_RULES[letter.status].territory_locked else "",
        )
        for letter in letters
    )

    # The rows of the owning CPTS's pages: one of each per five letters (its pages are details, and a thousand fiches
    # or members would only slow the test down; the lists among them show 50 rows a page or fewer).
    per_cpts = [i for i in numbers if i % 5 == 0]
    profession = world.member.profession
    Member.objects.bulk_create(
        Member(
            cpts=world.cpts,
            nature=world.member.nature,
            last_name=f"Ajout{i:04d}",
            first_name="Prénom",
            profession=profession,
            joined_on=dt.date(2024, 1, 15),
            email=f"ajout{i}@exemple.fr",
        )
        for i in per_cpts
    )
    Partner.objects.bulk_create(Partner(cpts=world.cpts, name=f"Partenaire {i:04d}") for i in per_cpts)
    InclusionAction.objects.bulk_create(
        InclusionAction(cpts=world.cpts, date=dt.date(2024, 1, 1), kind="meeting", title=f"Réunion {i}")
        for i in per_cpts
    )
    document = world.gov_document
    GovernanceDocument.objects.bulk_create(
        GovernanceDocument(
            cpts=world.cpts,
            kind=document.kind,
            title=f"Compte rendu {i}",
            file=document.file.name,
            size=document.size,
            sha256=document.sha256,
            uploaded_by=users["coordinator"],
        )
        for i in per_cpts
    )
    sheets = ActionSheet.objects.bulk_create(
        ActionSheet(
            plan=world.plan,
            mission=world.sheet.mission,
            title=f"Fiche {i:04d}",
            position=world.sheet.position + 1 + i,
            objectives="Objectif opérationnel",
            start_date=world.sheet.start_date,
            deployment_date=world.sheet.deployment_date,
            end_date=world.sheet.end_date,
        )
        for i in per_cpts
    )
    SheetIndicator.objects.bulk_create(
        SheetIndicator(sheet=s, label=f"Indicateur {s.title}", kind="action", unit="%") for s in sheets
    )
    # The letter under review gets as many messages and internal notes, too (its page shows them).
    DossierMessage.objects.bulk_create(
        DossierMessage(
            content_type=letter_type,
            object_id=world.letter.pk,
            author=users["coordinator"],
            organisation=world.cpts,
            body=f"Message {i}",
            created_at=now,
        )
        for i in per_cpts
    )
    PrivateNote.objects.bulk_create(
        PrivateNote(
            content_type=letter_type,
            object_id=world.letter.pk,
            organisation_id=world.organisation_ids["urps"],
            author=users["urps"],
            body=f"Note {i}",
            created_at=now,
        )
        for i in per_cpts
    )
