"""Sample internal projects, built into real distributions for the local backend and the demo.

Names cover what the migration must get right: dotted, underscored and mixed-case names,
several versions, wheels and sdists, and Metadata-Version 2.4 or newer (hatchling writes it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from nexus_cutover.dists import iter_dist_paths
from nexus_cutover.errors import CutoverError


@dataclass(frozen=True)
class SampleProject:
    name: str
    version: str
    requires_python: str = ">=3.8"
    dependencies: tuple[str, ...] = ()


SAMPLE_PROJECTS: tuple[SampleProject, ...] = (
    SampleProject("acme-utils", "1.0.0"),
    SampleProject("acme-utils", "1.1.0"),
    SampleProject("Acme.Widgets", "2.0.0", dependencies=("acme-utils>=1.0",)),
    SampleProject("acme_data", "0.9.0", requires_python=">=3.9"),
    SampleProject("acme_data", "1.0.0", requires_python=">=3.9"),
)

INTERNAL_PROJECTS = tuple(sorted({p.name for p in SAMPLE_PROJECTS}))


def write_project(project: SampleProject, folder: Path) -> Path:
    """A minimal hatchling project for `project` in a new folder below `folder`."""
    module = project.name.lower().replace("-", "_").replace(".", "_")
    root = folder / f"{module}-{project.version}"
    (root / "src" / module).mkdir(parents=True, exist_ok=True)
    (root / "src" / module / "__init__.py").write_text(
        f'"""Sample internal package {project.name}."""\n__version__ = "{project.version}"\n',
        encoding="utf-8",
    )
    dependencies = ", ".join(f'"{d}"' for d in project.dependencies)
    (root / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["hatchling"]\n'
        'build-backend = "hatchling.build"\n\n'
        "[project]\n"
        f'name = "{project.name}"\n'
        f'version = "{project.version}"\n'
        f'description = "Sample internal package {project.name}"\n'
        f'requires-python = "{project.requires_python}"\n'
        'license = "MIT"\n'
        f"dependencies = [{dependencies}]\n\n"
        "[tool.hatch.build.targets.wheel]\n"
        f'packages = ["src/{module}"]\n',
        encoding="utf-8",
    )
    return root


def build_project(source: Path, out_dir: Path) -> list[Path]:
    """Build wheel and sdist with `python -m build` (no isolation: hatchling is installed)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-10:])
        raise CutoverError(f"building {source.name} failed:\n{tail}")
    return sorted(out_dir.iterdir())


def build_samples(
    cache_dir: Path, projects: tuple[SampleProject, ...] = SAMPLE_PROJECTS
) -> list[Path]:
    """Build the sample distributions once into `cache_dir/dist` and return their paths."""
    dist = cache_dir / "dist"
    marker = cache_dir / "complete"
    if marker.exists():
        return list(iter_dist_paths(dist))
    shutil.rmtree(cache_dir, ignore_errors=True)
    dist.mkdir(parents=True)
    for project in projects:
        build_project(write_project(project, cache_dir / "src"), dist)
    marker.write_text("ok\n", encoding="utf-8")
    return list(iter_dist_paths(dist))


def build_canary(
    folder: Path, name: str, version: str, dependencies: tuple[str, ...] = ()
) -> list[Path]:
    """A fresh canary distribution (wheel and sdist) under a reserved project name."""
    source = write_project(SampleProject(name, version, dependencies=dependencies), folder / "src")
    return build_project(source, folder / "dist")
