from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "tipline.missing"
    label = "missing"
    verbose_name = "Missing children"
