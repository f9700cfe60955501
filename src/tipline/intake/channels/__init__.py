"""Phone channels: USSD, SMS and WhatsApp. Each is a thin adapter that ends in `report_submit`."""
