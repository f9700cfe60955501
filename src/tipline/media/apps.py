from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "tipline.media"
