from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tipline.people"
    verbose_name = "People matcher"
