"""--show-settings: the settings in force for each fleet of a checked tree."""

from __future__ import annotations

import json

from natslint.check import Settings
from natslint.config import ProjectConfig
from natslint.workspace import Resolver


def describe(result, resolver: Resolver) -> str:
    """The settings in force for each fleet of a checked tree (--show-settings)."""
    shown = []
    for f in result.fleets:
        settings, project = resolver.with_project(f.plan.root)
        shown.append({"fleet": f.plan.name, "kind": f.plan.kind, "root": f.plan.root,
                      **_settings_dict(settings, project)})
    return json.dumps(shown, indent=2)


def _settings_dict(settings: Settings, project: ProjectConfig) -> dict:
    p = settings.policy
    return {
        "config": project.path or "(none)",
        "select": p.select or ["(all)"], "ignore": p.ignore, "per-file-ignores": p.per_file_ignores,
        "severity": p.severity, "fail-on": str(settings.fail_on), "suppressions": p.use_suppressions,
        "expect-domain": settings.expect_domain, "aliases": settings.aliases,
        "env": sorted(settings.env), "env-visible": settings.env_visible, "nats-version": settings.nats_version,
        "max-file-size": settings.max_bytes,
    }
