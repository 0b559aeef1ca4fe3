"""Host reports: one zip that shows a host as it is, sanitized, for support and for us
(docs/host-report.md). No Qt here.

    from app.report.context import ReportOptions
    from app.report.build import build_report, write_report
    built = build_report(ReportOptions(layout, days=7, redact=["ECMA01"]), progress, cancelled)
    built.members                      # [(name, size)]: show before writing
    write_report(path, built)          # atomic

    from app.report.reader import read_report
    report = read_report(data, source) # untrusted input: zip rules of bundles, nothing is run
"""
