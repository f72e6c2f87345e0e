from django.urls import path

from atiende.web import views_case, views_replies

urlpatterns = [
    path("casos/<str:folio>/", views_case.case_detail, name="case"),
    path("casos/<str:folio>/encabezado/", views_case.case_header, name="case_header"),
    path(
        "casos/<str:folio>/linea-de-tiempo/",
        views_case.case_timeline_fragment,
        name="case_timeline",
    ),
    path("casos/<str:folio>/redactar/", views_case.case_composer, name="case_composer"),
    path(
        "casos/<str:folio>/redactar/insertar/",
        views_case.case_reply_insert,
        name="case_reply_insert",
    ),
    path(
        "casos/<str:folio>/redactar/vista-previa/",
        views_case.case_reply_preview,
        name="case_reply_preview",
    ),
    path("casos/<str:folio>/responder/", views_case.case_reply, name="case_reply"),
    path(
        "casos/<str:folio>/adjuntos/<int:pk>/", views_case.case_attachment, name="case_attachment"
    ),
    path("casos/<str:folio>/acciones/<slug:action>/", views_case.case_action, name="case_action"),
    path("configuracion/respuestas/", views_replies.reply_list, name="replies"),
    path("configuracion/respuestas/nueva/", views_replies.reply_edit, name="reply_new"),
    path("configuracion/respuestas/<uuid:uuid>/", views_replies.reply_edit, name="reply"),
]
