from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "tipline.intake"
