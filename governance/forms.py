"""Forms of the organisation pages; the rules themselves live in the models and services."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from diagnostics.models import Commune

from .choices import DocumentKind, MemberNature
from .models import Body, InclusionAction, Mandate, Member, Partner, Profession, Referent, StructureType
from .validators import compact, pdf_max_bytes

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommuneCodeField(forms.CharField):
    """A commune typed by its INSEE code (the communes reference has ~35 000 rows: no drop-down)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Code INSEE à 5 caractères, ex. 31555 pour Toulouse."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.insee_code
        if isinstance(value, int):
            commune = Commune.objects.filter(pk=value).only("insee_code").first()
            return commune.insee_code if commune else ""
        return value

    def clean(self, value):
        code = compact(super().clean(value))
        if not code:
            return None
        commune = Commune.objects.filter(insee_code=code).first()
        if commune is None:
            raise ValidationError(_("Aucune commune n'a le code INSEE « %(code)s ».") % {"code": code})
        return commune


class MemberForm(forms.ModelForm):
    commune = CommuneCodeField(label=_("commune d'exercice (code INSEE)"))
    # Wider than the stored numbers: people type spaces and dots, removed before the checks.
    rpps = forms.CharField(label=_("numéro RPPS"), max_length=20, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=25, required=False)
    finess = forms.CharField(label=_("FINESS"), max_length=15, required=False)

    class Meta:
        model = Member
        fields = [
            "last_name",
            "first_name",
            "profession",
            "structure_type",
            "rpps",
            "siret",
            "finess",
            "practice_mode",
            "commune",
            "email",
            "phone",
            "postal_address",
            "contact_consent_on",
            "joined_on",
            "membership_kind",
            "joined_via",
            "involvement",
            "in_governance",
            "took_part_in_writing",
        ]
        widgets = {"joined_on": DATE_INPUT, "contact_consent_on": DATE_INPUT}

    def __init__(self, *args, nature: str, show_contacts: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.nature = nature
        self.instance.nature = nature
        if nature == MemberNature.PROFESSIONAL:
            for name in ("structure_type", "siret", "finess"):
                del self.fields[name]
            profession = cast(forms.ModelChoiceField, self.fields["profession"])
            profession.queryset = Profession.objects.filter(is_active=True).order_by("order")
            self.fields["profession"].required = True
            self.fields["last_name"].label = _("nom")
        else:
            for name in ("profession", "rpps", "first_name", "practice_mode"):
                del self.fields[name]
            structure_type = cast(forms.ModelChoiceField, self.fields["structure_type"])
            structure_type.queryset = StructureType.objects.order_by("order")
            self.fields["structure_type"].required = True
            self.fields["last_name"].label = _("raison sociale")
        if not show_contacts:
            for name in ("email", "phone", "postal_address", "contact_consent_on"):
                del self.fields[name]

    def _clean_identifier(self, name):
        return compact(self.cleaned_data.get(name, ""))

    def clean_rpps(self):
        return self._clean_identifier("rpps")

    def clean_siret(self):
        return self._clean_identifier("siret")

    def clean_finess(self):
        return self._clean_identifier("finess")


class MemberLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("date de départ"), widget=DATE_INPUT)


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("fichier des membres (CSV ou XLSX)"),
        help_text=_("Une ligne par membre ; la première ligne donne les noms des colonnes."),
    )


class PartnerForm(forms.ModelForm):
    commune = CommuneCodeField(label=_("commune (code INSEE)"), help_text=_("Elle peut être hors du territoire."))
    agreement_file = forms.FileField(
        label=_("convention signée (PDF)"),
        required=False,
        help_text=_("PDF uniquement ; le contenu du fichier est vérifié."),
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "representative",
            "commune",
            "location",
            "is_formalised",
            "agreement_signed_on",
            "review_due_on",
            "in_governance",
            "ended_on",
        ]
        widgets = {"agreement_signed_on": DATE_INPUT, "review_due_on": DATE_INPUT, "ended_on": DATE_INPUT}


class BodyForm(forms.ModelForm):
    class Meta:
        model = Body
        fields = ["kind", "name", "voting_rights", "notes"]
        widgets = {"voting_rights": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 3})}


class _MemberChoiceMixin:
    fields: dict[str, forms.Field]  # mixed with a Form

    def limit_members(self, cpts):
        cast(forms.ModelChoiceField, self.fields["member"]).queryset = (
            Member.objects.filter(cpts=cpts, left_on__isnull=True)
            .select_related("profession", "structure_type")
            .order_by("last_name", "first_name")
        )


class MandateForm(_MemberChoiceMixin, forms.ModelForm):
    class Meta:
        model = Mandate
        fields = ["member", "role", "has_vote", "started_on"]
        widgets = {"started_on": DATE_INPUT}

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_members(cpts)


class ReferentForm(_MemberChoiceMixin, forms.ModelForm):
    class Meta:
        model = Referent
        fields = ["kind", "member", "mission", "started_on"]
        widgets = {"started_on": DATE_INPUT}

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_members(cpts)


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("date de fin"), widget=DATE_INPUT)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("type de document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("titre"), max_length=200)
    document_date = forms.DateField(label=_("date du document"), required=False, widget=DATE_INPUT)
    file = forms.FileField(label=_("fichier PDF"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF uniquement, %(max)d Mo au plus ; le contenu du fichier est vérifié.") % {
            "max": pdf_max_bytes() // (1024 * 1024) or 1
        }


class InclusionActionForm(forms.ModelForm):
    class Meta:
        model = InclusionAction
        fields = ["date", "kind", "title", "audience_reached", "notes"]
        widgets = {"date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}


class InvitationAcceptForm(forms.Form):
    """A new account: the person chooses a password (Django's validators apply)."""

    password1 = forms.CharField(label=_("mot de passe"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("confirmation du mot de passe"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        super().clean()
        data = self.cleaned_data
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif p1:
            try:
                validate_password(p1, User(email=self.email))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SignatureSignForm(forms.Form):
    """The signer confirms the version they read: its SHA-256 comes back hidden and is checked by the service."""

    seen_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("J'ai lu cette version et je la signe"),
        error_messages={"required": _("Cochez la case pour confirmer que vous signez cette version.")},
    )


class PaperSignatureForm(forms.Form):
    scan = forms.FileField(
        label=_("scan de la signature (PDF)"),
        error_messages={"required": _("Joignez le scan de la signature (PDF).")},
    )
    signed_on = forms.DateField(
        label=_("signé le"),
        widget=DATE_INPUT,
        error_messages={"required": _("Indiquez la date de la signature."), "invalid": _("Date invalide.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].help_text = _(
            "La page signée et datée par le membre, numérisée en PDF (%(max)d Mo au plus) ; le contenu est vérifié."
        ) % {"max": pdf_max_bytes() // (1024 * 1024) or 1}
