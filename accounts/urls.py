from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("profile/", views.profile, name="profile"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path("carers/", views.carers, name="carers"),
    path("carers/<uuid:code>/consent/", views.carer_consent, name="carer-consent"),
    path("carers/<uuid:code>/end/", views.carer_end, name="carer-end"),
    path("supporting/", views.supporting, name="supporting"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("", include("accounts.tokens.urls")),
]
