from django.apps import AppConfig


class GraphConfig(AppConfig):
    name = "tipline.graph"
