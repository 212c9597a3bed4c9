from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "anemone.accounts"
    label = "accounts"
    verbose_name = "Accounts"
