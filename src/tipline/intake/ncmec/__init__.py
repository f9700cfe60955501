"""NCMEC CyberTipline referral packages in: `tipline ncmec import PATH…` and the national desk's
upload form. A package (a ZIP or a folder) holds one or more CyberTipline reports as NCMEC makes
them available to a national agency; each becomes one `report_submit` call (see
docs/ncmec-referrals.md for the layout accepted).

* :mod:`.sources`: reading a ZIP or folder safely (no path traversal, no symlinks, no ZIP bombs,
  no member that lies about its size);
* :mod:`.wire`: the package XML (NCMEC's wrapper around the /ispws `<report>` the ESP sent,
  NCMEC's automated and analyst sections) as plain data;
* :mod:`.pdf`: the printable report PDF, read by its section and field labels into the same data,
  for a package that carries no XML;
* :mod:`.services`: storing the files encrypted and submitting each report, idempotently by
  NCMEC's report number.
"""
