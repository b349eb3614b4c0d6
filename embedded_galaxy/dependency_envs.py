"""The `galaxy_packages` dependency folders that point every tool requirement at the tools' venv.

Galaxy and Pulsar both resolve a tool's <requirement>s by sourcing
<tool_dependency_dir>/NAME/VERSION/env.sh inside the job's command, after the job
script has activated the server's own venv, so the PATH set here decides which
`python` the tool runs. One writer serves both servers; only the folder differs.

Standard library only, like galaxy_ctl.py.
"""

from galaxy_paths import TOOLS_VENV


def write_env_files(deps_dir, pairs, server):
    """deps_dir/NAME/VERSION/env.sh for each (name, version), for `server` (named in the comment)."""
    for name, version in pairs:
        env_dir = deps_dir / name / version
        env_dir.mkdir(parents=True, exist_ok=True)
        (env_dir / "env.sh").write_text(
            f"# {name} {version} for {server}: provided by the Keras tools' virtual environment.\n"
            "# Written by embedded_galaxy/galaxy_ctl.py configure.\n"
            f'PATH="{TOOLS_VENV / "bin"}:$PATH"\nexport PATH\n'
            f'VIRTUAL_ENV="{TOOLS_VENV}"\nexport VIRTUAL_ENV\n')
    return pairs
