from django.urls import path

from tipline.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("mfa/", views.mfa_view, name="mfa"),
    path("mfa/enrol/", views.mfa_enrol_view, name="mfa_enrol"),
    path("logout/", views.logout_view, name="logout"),
]
