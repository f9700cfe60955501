from django.apps import AppConfig


class PublicstatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tipline.publicstats"
    label = "publicstats"
