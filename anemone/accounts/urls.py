from django.contrib.auth import views as auth_views
from django.urls import path

from anemone.accounts import kit_views, security_views, two_factor_views, users_views, views

urlpatterns = [
    path("setup/", views.setup, name="setup"),
    path("setup/recovery-kit/", views.setup_kit, name="setup-kit"),
    path("settings/recovery-kit/", kit_views.recovery_kit, name="recovery-kit"),
    path("settings/recovery-kit/confirm/", kit_views.recovery_kit_confirm, name="recovery-kit-confirm"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", two_factor_views.login_verify, name="login-verify"),
    path("account/two-factor/", two_factor_views.two_factor_page, name="two-factor"),
    path("users/<int:pk>/two-factor/reset/", two_factor_views.reset_two_factor, name="two-factor-reset"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("activate/<str:token>/", views.activate, name="activate"),
    path("reset/<str:token>/", views.reset, name="reset"),
    path("account/", views.account, name="account"),
    path("account/backup-key/", views.backup_key, name="backup-key"),
    path("account/tokens/", security_views.tokens_page, name="account-tokens"),
    path("users/", users_views.users, name="users"),
    path("users/lockouts/clear/", security_views.lockout_clear, name="lockout-clear"),
    path("users/<int:pk>/", users_views.user_detail, name="user-detail"),
    path("users/<int:pk>/link/<str:purpose>/", users_views.user_link, name="user-link"),
]
