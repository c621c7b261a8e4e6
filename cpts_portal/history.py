"""django-simple-history's ``HistoricalRecords`` with French names: use this one in every model.

simple-history names a history model ``"historical " + verbose_name`` with a string it never translates (its
French locale covers its admin templates only), so the administrator read "historical rôle" and "Can add
historical rôle"; its columns ("history date", "history type"...) have no verbose name at all. A subclass sets
them once, instead of passing ``verbose_name=`` to fifty ``HistoricalRecords()``.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history import models as simple_history_models

__all__ = ["HistoricalRecords"]

HISTORY_FIELD_LABELS = {
    "history_id": _("numéro de version"),
    "history_date": _("date de la modification"),
    "history_change_reason": _("motif de la modification"),
    "history_type": _("nature de la modification"),
    "history_user": _("modifié par"),
}


def _label(field, label) -> None:
    """As if ``verbose_name=label`` had been passed to the field (``deconstruct`` reads ``_verbose_name``)."""
    field.verbose_name = field._verbose_name = label


def _model_name(field):
    """The verbose name of the model a link points to (the registry may not be ready: no ``related_model``)."""
    target = field.remote_field.model
    return target._meta.verbose_name if hasattr(target, "_meta") else str(target).rsplit(".", 1)[-1]


class HistoricalRecords(simple_history_models.HistoricalRecords):
    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        if not self.user_set_verbose_name:
            options["verbose_name"] = format_lazy(_("{name} (historique)"), name=model._meta.verbose_name)
        if not self.user_set_verbose_name_plural:
            options["verbose_name_plural"] = format_lazy(
                _("{name} (historique)"), name=model._meta.verbose_name_plural
            )
        return options

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        for name, label in HISTORY_FIELD_LABELS.items():
            if name in extra:
                _label(extra[name], label)
        return extra

    def get_meta_options_m2m(self, through_model):
        options = super().get_meta_options_m2m(through_model)
        linked = [_model_name(f) for f in through_model._meta.fields if f.is_relation]
        name = format_lazy(_("{name} (historique)"), name=format_lazy("{} – {}", *linked[:2]))
        options["verbose_name"] = name
        options["verbose_name_plural"] = name
        return options

    def get_extra_fields_m2m(self, model, through_model, fields):
        extra = super().get_extra_fields_m2m(model, through_model, fields)
        # The copied links of an automatic through model are named after their class ("indicatordataset").
        for field in through_model._meta.fields:
            if field.is_relation and field.name in fields:
                _label(fields[field.name], _model_name(field))
        _label(extra["history"], _("version"))
        _label(extra["m2m_history_id"], HISTORY_FIELD_LABELS["history_id"])
        return extra
