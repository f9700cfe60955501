from django.apps import AppConfig


class IdentifiersConfig(AppConfig):
    name = "tipline.identifiers"
