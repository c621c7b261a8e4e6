"""Reference data: the categories of the health project's members table, professions and kinds of structure.

Loaded from ``fixtures/professions.json`` (natural keys are the codes) and editable by an administrator.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import CodeManager


class MemberCategory(models.Model):
    """A row of the health project's table "members by category" (seed 003): a profession, MSP, centre, autres."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    objects = CodeManager()

    class Meta:
        verbose_name = _("catégorie de membres")
        verbose_name_plural = _("catégories de membres")
        ordering = ["order", "label"]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.code,)


class Profession(models.Model):
    """A profession a member may practise; each counts in one category of the members table."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    category = models.ForeignKey(
        MemberCategory, on_delete=models.PROTECT, related_name="professions", verbose_name=_("catégorie")
    )
    aliases = models.JSONField(
        _("autres libellés acceptés à l'import"), default=list, blank=True, help_text=_("Ex. « kiné », « IDE ».")
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("proposée"), default=True)
    objects = CodeManager()

    class Meta:
        verbose_name = _("profession")
        verbose_name_plural = _("professions")
        ordering = ["order", "label"]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.code,)


class StructureType(models.Model):
    """A kind of member structure (MSP, centre de santé, établissement...), counted in one category."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    category = models.ForeignKey(
        MemberCategory, on_delete=models.PROTECT, related_name="structure_types", verbose_name=_("catégorie")
    )
    aliases = models.JSONField(_("autres libellés acceptés à l'import"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    objects = CodeManager()

    class Meta:
        verbose_name = _("type de structure")
        verbose_name_plural = _("types de structure")
        ordering = ["order", "label"]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.code,)
