"""The letter: list, start, dossier page, draft editing and submission, status changes."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView
from django_fsm import TransitionNotAllowed

from accounts.choices import Stage
from accounts.models import Organisation
from accounts.selectors import cpts_list_for_user
from cpts_portal.related import related_or_none
from diagnostics.parts import departement_ids_prime

from ..calculations import LETTER_FIELDS, letter_field_label, letter_missing_items
from ..forms import (
    CarryingStructureForm,
    CommentForm,
    LetterForm,
    MessageForm,
    NoteForm,
    ProfessionFormSet,
    SubmitConfirmForm,
    TeamFormSet,
)
from ..models import CarryingStructure
from ..permissions import (
    can_create_letter,
    can_decide,
    can_edit_letter,
    can_fill_identity_sheet,
    can_give_opinion,
    can_post_message,
    can_prepare_decision,
    can_read_opinions,
    can_request_complements,
    can_transition,
    can_view_letter,
    can_write_note,
    cpts_with_open_letter_ids,
    opinions_visibility_text,
)
from ..selectors import (
    letter_get_for_page,
    letter_list_for_user,
    letter_page,
    letter_snapshot,
    open_complement_request,
    opinion_counter,
    opinion_table,
)
from ..services import letter_create, letter_save_draft, message_post, note_add
from ..workflows.engine import CPTS_ACTORS, REVIEWING_ACTORS, Actor, authorize, available_actions, readable_log
from ..workflows.letter import STATE_RULES, TRANSITION_RULES, letter_actor_roles, letter_settings, status_label
from ..workflows.letter_services import letter_open_review, letter_submit, letter_transmit, letter_withdraw
from .base import LetterActionView, LetterMixin, error_messages


def territory_edit_url(cpts) -> str | None:
    """The territory builder of the diagnostics app, when it is there."""
    try:
        return reverse("diagnostics:territory_edit", args=[cpts.pk])
    except NoReverseMatch:
        return None


class LetterListView(LoginRequiredMixin, ListView):
    """Every letter the person may see, with the opinions counter ("avis reçus 3/10") and who is awaited."""

    template_name = "projects/intentionletter_list.html"
    context_object_name = "letters"
    paginate_by = 50

    def get_queryset(self):
        return letter_list_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        # A departmental body's parts read each CPTS's area: one query for the page, not one per row.
        departement_ids_prime([letter.cpts for letter in ctx["letters"]], for_user=user)
        ctx["rows"] = [
            (letter, status_label(letter, letter_actor_roles(user, letter)), opinion_counter(letter))
            for letter in ctx["letters"]
        ]
        own_cpts = _cpts_of(user)
        open_ids = cpts_with_open_letter_ids(org.pk for org in own_cpts)
        ctx["startable"] = [org for org in own_cpts if can_create_letter(user, org, open_letter_cpts_ids=open_ids)]
        return ctx


def _prepared(letter):
    """The decision an ARS agent prepared on the current version, for the ARS and the desk to read."""
    return related_or_none(letter, "prepared_decision") if letter.is_at_decision_stage else None


def _cpts_of(user):
    return cpts_list_for_user(user)


class LetterStartView(LoginRequiredMixin, View):
    """POST: start the letter of a CPTS (a draft) and open it for editing."""

    http_method_names = ["post"]

    def post(self, request, cpts_pk):
        cpts = get_object_or_404(Organisation, pk=cpts_pk, kind="cpts")
        decision = can_create_letter(request.user, cpts)
        if not decision:
            raise PermissionDenied(decision.reason)
        letter = letter_create(cpts=cpts, by=request.user)
        messages.success(request, _("Le brouillon de la lettre d'intention est créé. Il s'enregistre à tout moment."))
        return redirect("projects:letter_edit", pk=letter.pk)


class LetterDetailView(LetterMixin, TemplateView):
    """The dossier page: status, actions, completeness, decision, deadlines, opinions, versions, timeline,
    messages and internal notes, in a fixed number of queries."""

    permission = can_view_letter
    template_name = "projects/intentionletter_detail.html"

    def get_letter(self):
        from django.http import Http404

        from ..models import IntentionLetter

        try:
            return letter_get_for_page(pk=self.kwargs["pk"], user=self.request.user)
        except IntentionLetter.DoesNotExist as exc:
            raise Http404 from exc

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, letter = self.request.user, self.letter
        roles = letter_actor_roles(user, letter)
        reads_opinions = bool(can_read_opinions(user, letter))
        page = letter_page(letter, with_opinions=reads_opinions)
        editable = bool(can_edit_letter(user, letter))
        if editable or page.current is None:
            # Only the draft (content, completeness, the submit guard) reads the team and professions: a submitted
            # letter shows its frozen version. Loaded once here, not on every dossier page.
            prefetch_related_objects([letter], "team", "professions")
        transmission = next((t for t in reversed(page.transitions) if t.transition == "transmit"), None)
        ctx.update(
            letter=letter,
            page=page,
            roles=roles,
            status_label=status_label(letter, roles),
            actions=[
                a
                for a in available_actions(user, letter)
                if a.name in ("submit", "open_review", "transmit", "withdraw")
            ],
            # The reviewers read the prepared decision (below), the CPTS only the signed one.
            timeline=[
                (t, TRANSITION_RULES[t.transition].log_label)
                for t in readable_log(page.transitions, roles, private_readers=REVIEWING_ACTORS | {Actor.ADMINISTRATOR})
            ],
            reads_opinions=reads_opinions,
            # The CPTS is told when it will read the opinions (its region's setting), instead of reading them.
            opinions_later=(
                opinions_visibility_text(letter_settings(letter)) if roles & CPTS_ACTORS and not reads_opinions else ""
            ),
            # The ARS (and the desk) see which opinions were missing when the desk transmitted, and why.
            transmission=transmission if transmission and transmission.details.get("missing_opinions") else None,
            prepared_decision=_prepared(letter) if roles & REVIEWING_ACTORS else None,
            can_prepare_decision=bool(can_prepare_decision(user, letter)),
            identity_sheet_todo=bool(can_fill_identity_sheet(user, letter))
            and related_or_none(letter, "identity_sheet") is None,
            can_edit=editable,
            missing=letter_missing_items(letter_snapshot(letter)) if editable else [],
            can_give_opinion=bool(can_give_opinion(user, letter)),
            can_decide=bool(can_decide(user, letter)),
            can_request_complements=bool(can_request_complements(user, letter)),
            can_post_message=bool(can_post_message(user, letter)),
            can_write_note=bool(can_write_note(user, letter)),
            can_fill_identity_sheet=bool(can_fill_identity_sheet(user, letter)),
            territory_url=territory_edit_url(letter.cpts) if editable else None,
            data=page.current.data if page.current else letter_snapshot(letter),
            state_rule=STATE_RULES[letter.status],
            # One row per organisation and a summary per criterion: reads at 1280 px with 10 URPS and the Guichet.
            opinion_table=opinion_table(page.opinions),
        )
        return ctx


SECTIONS = [
    ("pilote", _("Pilote du projet et contact"), ["pilot_name", "pilot_profession", "contact_email", "contact_phone"]),
    ("besoins", _("Besoins identifiés"), ["needs"]),
    ("mobilisation", _("Mobilisation des professionnels de santé"), ["information_actions"]),
    (
        "projet",
        _("Description du projet et engagement sur les 4 missions socles"),
        [
            "project_description",
            "commits_access",
            "commits_pathways",
            "commits_prevention",
            "commits_crisis",
            "missions_comment",
        ],
    ),
    ("objectifs", _("Objectifs, actions envisagées et moyens"), ["objectives", "means"]),
    ("partenaires", _("Partenaires"), ["partners_associated", "partners_planned"]),
    ("subvention", _("Demande de subvention"), ["subsidy_amount", "engineering_budget", "subsidy_comment"]),
]
_ANCHOR_TO_PATH = {anchor: path for path, (_label, anchor) in LETTER_FIELDS.items()}


@dataclass(frozen=True)
class PanelItem:
    """A line of the completeness panel: what to fix or fill, and the anchor of its field."""

    message: str
    anchor: str


def completeness_items(letter, forms) -> list[PanelItem]:
    """The completeness panel of the edit page. After a refused save it reads what is on screen, not the saved row:
    first every field typed wrong (an invalid SIRET leaves the letter not ready to submit), then what the content
    still lacks (the forms have put their valid values on the instances, nothing is saved)."""
    items, anchors = [], set()
    for key, form in forms.items():
        if not form.is_bound or form.is_valid():
            continue
        if key in ("team_formset", "profession_formset"):
            path = "team" if key == "team_formset" else "professionals.professions"
            items.append(PanelItem(_("%(label)s : une ligne est mal remplie.") % {"label": letter_field_label(path)},
                                   LETTER_FIELDS[path][1]))  # fmt: skip
            anchors.add(LETTER_FIELDS[path][1])
            continue
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                continue
            anchor = form[name].auto_id
            field_path = _ANCHOR_TO_PATH.get(anchor)
            label = letter_field_label(field_path) if field_path else str(form.fields[name].label)
            items += [PanelItem(f"{label} : {error}", anchor) for error in errors]
            anchors.add(anchor)
    items += [
        PanelItem(item.message, item.anchor)
        for item in letter_missing_items(letter_snapshot(letter))
        if item.anchor not in anchors
    ]
    return items


class LetterEditView(LetterMixin, TemplateView):
    """The draft: saved at any time with partial content; "Enregistrer et déposer" saves, then submits, and
    when something is missing lists it (everything typed stays saved)."""

    permission = can_edit_letter
    template_name = "projects/intentionletter_form.html"

    def forms(self, data=None):
        letter = self.letter
        structure = letter.carrying_structure or CarryingStructure(cpts=letter.cpts, stage="letter")
        return {
            "form": LetterForm(data, instance=letter, regional_settings=letter_settings(letter)),
            "structure_form": CarryingStructureForm(data, instance=structure, prefix="structure"),
            "team_formset": TeamFormSet(data, instance=letter, prefix="team"),
            "profession_formset": ProfessionFormSet(data, instance=letter, prefix="professions"),
        }

    def get(self, request, *args, **kwargs):
        return self.render(self.forms())

    def post(self, request, *args, **kwargs):
        forms = self.forms(request.POST)
        if not all(f.is_valid() for f in forms.values()):
            messages.error(request, _("Certains champs sont mal remplis : corrigez-les (rien n'a été enregistré)."))
            return self.render(forms, status=200)
        letter_save_draft(letter=self.letter, by=request.user, **forms)
        if request.POST.get("action") != "submit":
            messages.success(request, _("Brouillon enregistré."))
            return redirect("projects:letter_edit", pk=self.letter.pk)
        # Submitting is irreversible: what is missing is listed here; a complete letter goes to the confirmation.
        self.letter = self.get_letter()
        try:
            authorize(request.user, self.letter, "submit")
        except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
            return self.render(self.forms(), submit_errors=error_messages(exc))
        return redirect("projects:letter_submit_confirm", pk=self.letter.pk)

    def render(self, forms, submit_errors=None, status=200):
        letter = self.letter
        request = open_complement_request(letter)
        comments = {c.field_path: c.comment for c in request.field_comments.all()} if request else {}
        form = forms["form"]
        sections = [
            {
                "id": section_id,
                "title": title,
                "fields": [
                    (form[name], comments.get(_ANCHOR_TO_PATH.get(f"id_{name}", "")))
                    # The region's priority themes (when its settings list some) close the project section.
                    for name in [*names, *(["themes"] if section_id == "projet" and "themes" in form.fields else [])]
                ],
            }
            for section_id, title, names in SECTIONS
        ]
        structure_fields = [
            (forms["structure_form"][name], comments.get(f"carrying_structure.{name}"))
            for name in ("legal_form", "name", "siret", "address")
        ]
        context = {
            **forms,
            "letter": letter,
            "sections": sections,
            "structure_fields": structure_fields,
            "complement_request": request,
            "comments": comments,
            "territory_comment": comments.get("territory.communes"),
            "team_comment": comments.get("team"),
            "professions_comment": comments.get("professionals.professions"),
            "missing": completeness_items(letter, forms),
            "submit_errors": submit_errors,
            "territory": letter_snapshot(letter)["territory"],
            "territory_url": territory_edit_url(letter.cpts),
            "can_submit": letter.status in TRANSITION_RULES["submit"].actors
            and "coordinator" in letter_actor_roles(self.request.user, letter),
        }
        return render(self.request, self.template_name, context, status=status)


def submitted_message(letter) -> str:
    """Who is told of a submission: the desk its regional settings name (a Guichet, a COPIL...)."""
    settings = letter_settings(letter)
    circuit = settings.circuit(Stage.LETTER) if settings else None
    desk = circuit.desk if circuit else None
    if desk is None:
        return _("Lettre d'intention déposée.")
    return _("Lettre d'intention déposée : %(desk)s en est prévenu et l'examinera.") % {"desk": desk.name}


class LetterSubmitConfirmView(LetterMixin, TemplateView):
    """The confirmation step before the irreversible submission: what happens next, and a box to tick, checked on
    the server (works without script; the CSP forbids inline ones)."""

    permission = can_edit_letter
    template_name = "projects/intentionletter_submit_confirm.html"

    def get(self, request, *args, **kwargs):
        return self.render(SubmitConfirmForm())

    def post(self, request, *args, **kwargs):
        form = SubmitConfirmForm(request.POST)
        if form.is_valid():
            try:
                letter_submit(letter=self.letter, by=request.user, comment=form.cleaned_data["comment"])
            except (ValidationError, TransitionNotAllowed) as exc:
                for text in error_messages(exc):
                    form.add_error(None, text)
            else:
                messages.success(request, submitted_message(self.letter))
                return redirect("projects:letter_detail", pk=self.letter.pk)
        return self.render(form)

    def render(self, form):
        letter = self.letter
        settings = letter_settings(letter)
        circuit = settings.circuit(Stage.LETTER) if settings else None
        decision = can_transition(self.request.user, letter, "submit")
        context = {
            "letter": letter,
            "form": form,
            "allowed": bool(decision),
            "reason": decision.reason,
            "settings": settings,
            "desk": circuit.desk if circuit else None,
            "reviewers": list(circuit.reviewers.all()) if circuit else [],
            "resubmission": letter.current_version_number > 0,
            "next_version": letter.current_version_number + 1,
            "opinions_later": opinions_visibility_text(settings),
        }
        return render(self.request, self.template_name, context)


class LetterTransitionView(LetterActionView):
    """POST: submit, take in for review, transmit or withdraw, with an optional comment."""

    permission = can_view_letter

    services = {
        "submit": (letter_submit, _("Lettre d'intention déposée.")),
        "open_review": (letter_open_review, _("Lettre prise en charge : les avis sont demandés.")),
        "transmit": (letter_transmit, _("Lettre transmise à l'ARS avec les avis.")),
        "withdraw": (letter_withdraw, _("Le projet est abandonné.")),
    }

    def perform(self):
        name = self.kwargs["transition"]
        service, self.success_message = self.services[name]
        if name == "submit":
            # Who may submit at all first (a 403 for others), then the confirmation the page asks for.
            authorize(self.request.user, self.letter, name, check_guards=False)
            if not self.request.POST.get("confirm"):
                raise ValidationError(
                    _("Le dépôt est définitif : confirmez-le sur la page de confirmation (« Déposer la lettre »).")
                )
            self.success_message = submitted_message(self.letter)
        form = CommentForm(self.request.POST)
        form.is_valid()
        service(letter=self.letter, by=self.request.user, comment=form.cleaned_data.get("comment", ""))


class LetterMessageView(LetterActionView):
    permission = can_post_message
    success_message = _("Message envoyé.")

    def perform(self):
        form = MessageForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Le message est vide."))
        message_post(letter=self.letter, by=self.request.user, body=form.cleaned_data["body"])

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Location"] += "#messages"
        return response


class LetterNoteView(LetterActionView):
    permission = can_write_note
    success_message = _("Note interne enregistrée.")

    def perform(self):
        form = NoteForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("La note est vide."))
        note_add(letter=self.letter, by=self.request.user, body=form.cleaned_data["body"])

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Location"] += "#notes"
        return response
