"""URLs of the guided questions ('What support might suit me')."""

from django.urls import path

from directory.guide import views

urlpatterns = [
    path("guide/", views.guide_start, name="guide-start"),
    path("guide/answers/", views.guide_answers, name="guide-answers"),
    path("guide/<slug:step>/", views.guide_question, name="guide-question"),
]
