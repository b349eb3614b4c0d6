#!/usr/bin/env python3
"""Install, configure, run and test against the project's own offline Galaxy server.

The command line only: each job is a module of its own (galaxy_install, galaxy_configure,
galaxy_serve, galaxy_tests; galaxy_paths holds what they share).  Runs with the system
``python3`` (standard library only) before any virtual environment exists; the commands
that talk to a running server through bioblend (`reload-tools`, `test-tools`) re-run
themselves with planemo's Python, which has it.  Every subcommand is idempotent and
prints one-line messages.

    python3 embedded_galaxy/galaxy_ctl.py install | configure | start | status | stop
    python3 embedded_galaxy/galaxy_ctl.py reload-tools | keys
    python3 embedded_galaxy/galaxy_ctl.py test-tools [TOOL.xml ...]
    python3 embedded_galaxy/galaxy_ctl.py test-workflow [WORKFLOW.ga|.gxwf.yml ...]
"""

import argparse
import json
import os
import sys

import galaxy_serve as serve
from galaxy_configure import configure
from galaxy_install import install
from galaxy_paths import PLANEMO_VENV, ROOT, CtlError, default_port
from galaxy_tests import test_tools, test_workflows

NEEDS_BIOBLEND = {"reload-tools", "test-tools", "test-pulsar", "test-imports"}


def cmd_install(args):
    install()
    return 0


def cmd_configure(args):
    configure(args.port, args.tools_dir)
    if serve.server_pid():
        print("the server is running: `reload-tools` applies tool changes, `stop` and `start` the rest")
    return 0


def cmd_start(args):
    serve.start()
    return 0


def cmd_stop(args):
    serve.stop()
    return 0


def cmd_status(args):
    serve.status()
    return 0


def cmd_keys(args):
    print(json.dumps(serve.server_keys(), indent=2))
    return 0


def cmd_reload_tools(args):
    serve.reload_tools()
    return 0


def cmd_test_tools(args):
    return test_tools(args.tools)


def cmd_test_workflow(args):
    return test_workflows(args.workflows)


def cmd_test_pulsar(args):
    if not serve.server_pid():
        raise CtlError("not running: `galaxy_ctl.py start` first")
    import pulsar_test  # bioblend: imported only under planemo's Python
    return pulsar_test.main()


def cmd_test_imports(args):
    if not serve.server_pid():
        raise CtlError("not running: `galaxy_ctl.py start` first")
    import galaxy_ml_import_check  # bioblend: imported only under planemo's Python
    return galaxy_ml_import_check.main()


def parser():
    main = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="create .venv/galaxy, .venv/planemo and .venv/pulsar").set_defaults(func=cmd_install)
    configure_ = commands.add_parser("configure", help="write .galaxy/ (config, tool panel, deps)")
    configure_.add_argument("--port", type=int, default=default_port(),
                            help="port on 127.0.0.1 (default: $GALAXY_PORT or 8080)")
    configure_.add_argument("--tools-dir", default=str(ROOT / "tools"),
                            help="folder whose tool XMLs go into the panel (default: tools/)")
    configure_.set_defaults(func=cmd_configure)
    for name, func, text in (("start", cmd_start, "start the server in the background"),
                             ("stop", cmd_stop, "stop the server"),
                             ("status", cmd_status, "say whether the server runs"),
                             ("reload-tools", cmd_reload_tools, "reload the toolbox from disk"),
                             ("keys", cmd_keys, "print URL and API keys as JSON")):
        commands.add_parser(name, help=text).set_defaults(func=func)
    tools = commands.add_parser("test-tools", help="planemo test tools (default: all configured)")
    tools.add_argument("tools", nargs="*", help="tool XML files")
    tools.set_defaults(func=cmd_test_tools)
    workflow = commands.add_parser("test-workflow", help="planemo test workflows and their -tests.yml")
    workflow.add_argument("workflows", nargs="*", help=".ga or .gxwf.yml workflow files (default: every workflow "
                          "folder of workflows/)")
    workflow.set_defaults(func=cmd_test_workflow)
    commands.add_parser("test-pulsar", help="the tutorial workflow with training and prediction on Pulsar, "
                        "compared with a local run").set_defaults(func=cmd_test_pulsar)
    commands.add_parser("test-imports", help="import the GTN tutorials' Galaxy-ML workflows (tool ids rewritten) "
                        "and check that Galaxy reports no tool-state corrections").set_defaults(func=cmd_test_imports)
    return main


def rerun_with_bioblend(argv):
    """Replace this process by the same command under planemo's Python (bioblend is there)."""
    python = PLANEMO_VENV / "bin" / "python"
    if not python.exists():
        raise CtlError("planemo is not installed: run `galaxy_ctl.py install` first")
    os.execv(python, [str(python), str(os.path.abspath(__file__)), *argv])


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    try:
        if args.command in NEEDS_BIOBLEND and not serve.bioblend_available():
            rerun_with_bioblend(argv)
        return args.func(args)
    except CtlError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except serve.api_errors() as error:
        print(f"error: Galaxy API call failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
