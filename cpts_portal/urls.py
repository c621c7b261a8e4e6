from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Portail CPTS – administration")
admin.site.site_title = _("Portail CPTS")
admin.site.index_title = _("Données de référence")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("territoires/", include("diagnostics.urls")),
    path("dossiers/", include("projects.urls")),
    path("gouvernance/", include("governance.urls")),
    path("financement/", include("funding.urls")),
    path("actions/", include("missions.urls")),
    path("", include("accounts.urls")),
]

handler403 = "cpts_portal.views.permission_denied"
handler404 = "cpts_portal.views.page_not_found"
handler500 = "cpts_portal.views.server_error"
