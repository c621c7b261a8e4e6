from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("simulateur/", views.SimulatorView.as_view(), name="simulator"),
    path("budgets/", views.BudgetListView.as_view(), name="budget_list"),
    path("budgets/<int:pk>/", views.BudgetDetailView.as_view(), name="budget_detail"),
    path("budgets/<int:pk>/parametres/", views.BudgetParametersView.as_view(), name="budget_edit"),
    path("budgets/<int:pk>/parties/<int:part_pk>/", views.BudgetPartEditView.as_view(), name="budget_part_edit"),
    path("budgets/<int:pk>/apercu/", views.BudgetPreviewView.as_view(), name="budget_preview"),
    path("budgets/<int:pk>/pdf/", views.BudgetPdfView.as_view(), name="budget_pdf"),
    path("budgets/<int:pk>/pdf/telecharger/", views.BudgetPdfDownloadView.as_view(), name="budget_pdf_download"),
    path("budgets/<int:pk>/complet/", views.BudgetCompleteView.as_view(), name="budget_complete"),
    path("budgets/<int:pk>/rouvrir/", views.BudgetReopenView.as_view(), name="budget_reopen"),
]
