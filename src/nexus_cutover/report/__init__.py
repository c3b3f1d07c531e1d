"""The checklist report, one module per renderer of a `results.RunReport`.

`terminal` (rich, the end of every run), `as_json` (report.json, read back by the
decommission gate), `as_html` (report.html for people) and `junit` (junit.xml for CI).
"""
