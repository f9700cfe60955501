from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tipline.exchange"
    label = "exchange"

    def ready(self) -> None:
        from tipline.exchange import events  # the models are loaded only now

        events.connect()
