"""Output formats.  Each module renders a check Result; imported only when chosen."""

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")


def render(fmt: str, result, *, color: bool = False, quiet: bool = False, statistics: bool = False,
           width: int | None = None) -> str:
    if statistics and fmt == "json":
        from natslint.report.json_format import render_statistics

        return render_statistics(result)
    if fmt == "concise" and not statistics:
        from natslint.report.text import render_concise

        return render_concise(result, quiet=quiet)
    if fmt == "json":
        from natslint.report.json_format import render_json

        return render_json(result)
    if fmt == "sarif":
        from natslint.report.sarif import render_sarif

        return render_sarif(result)
    if fmt in ("gitlab", "junit"):
        from natslint.report import ci_formats

        return ci_formats.render_gitlab(result) if fmt == "gitlab" else ci_formats.render_junit(result)
    if fmt == "github":
        from natslint.report.github import render_github

        return render_github(result)
    from natslint.report.text import render_text

    return render_text(result, color=color, quiet=quiet, statistics=statistics, width=width)
