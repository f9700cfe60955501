from django.apps import AppConfig


class TravellersConfig(AppConfig):
    name = "tipline.travellers"
    label = "travellers"
    verbose_name = "Travelling sex offenders and places of concern"
