"""The embedded Galaxy's job configuration: TPV routes every job, to the local runner or to Pulsar.

Kept apart from the rest of the Galaxy settings because it is what an admin of a
real server changes. The routing is the suite's own TPV file
(deploy/tpv/keras_tools.yml, what a server admin installs) followed by
this machine's destinations, written to .galaxy/tpv_destinations.yml.
"""

import os

import pulsar_server
from galaxy_paths import ROOT, STATE, write_config

SUITE_RULES = ROOT / "deploy" / "tpv" / "keras_tools.yml"
DESTINATIONS = STATE / "tpv_destinations.yml"
# `make pulsar-test` runs its workflow as this user; TPV sends that user's
# training and prediction jobs to Pulsar, every other job runs locally.
PULSAR_TEST_USER = "pulsar-tester@galaxy.local"
REMOTE_TOOLS = ("keras_train_and_eval", "model_prediction")


def machine_limits():
    """What a job may take here: every core, and the memory the machine has (GB)."""
    cores = os.cpu_count() or 1
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    except (ValueError, OSError):
        mem_gb = 8
    return cores, max(int(mem_gb), 1)


def destination(runner, cores, mem_gb, **params):
    return {
        "runner": runner,
        # The suite's rules ask for more than a small machine has: clamp to it rather than refuse.
        "max_cores": cores,
        "max_mem": mem_gb,
        "params": params,
        # Galaxy's local runner does not set GALAXY_MEMORY_MB; the tools size their budget from it.
        "env": [{"name": "GALAXY_MEMORY_MB", "value": "{int(mem * 1024)}"}],
    }


def tpv_destinations(settings):
    """This machine's TPV destinations and the pulsar-test routing, as YAML (JSON is YAML)."""
    cores, mem_gb = machine_limits()
    remote_rule = {"rules": [{
        "id": "pulsar_test_user",
        "if": f"user is not None and user.email == {PULSAR_TEST_USER!r}",
        "scheduling": {"require": ["pulsar"]},
    }]}
    local = destination("local", cores, mem_gb, local_slots="{cores}")
    remote = destination("pulsar", cores, mem_gb,
                         url=pulsar_server.url(settings),
                         private_token=pulsar_server.private_token(settings),
                         # No shared disk: Galaxy sends inputs and scripts over HTTP, fetches outputs back.
                         default_file_action="transfer",
                         # The Pulsar side resolves the <requirement>s with its own resolvers.
                         dependency_resolution="remote")
    remote["scheduling"] = {"require": ["pulsar"]}
    return {
        "global": {"default_inherits": "default"},
        "tools": {
            "default": {"abstract": True, "cores": 1, "mem": 4},
            **{f"(.*/)?{tool}(/.*)?$": remote_rule for tool in REMOTE_TOOLS},
        },
        "destinations": {"local": local, "pulsar": remote},
    }


def write_tpv_destinations(settings):
    DESTINATIONS.parent.mkdir(parents=True, exist_ok=True)
    # Private: it holds Pulsar's token.
    write_config(DESTINATIONS, tpv_destinations(settings), "embedded_galaxy/job_conf.py", private=True)


def job_config(settings):
    """The `job_config` section of galaxy.yml; its destinations file comes from write_tpv_destinations."""
    return {
        "runners": {
            "local": {"load": "galaxy.jobs.runners.local:LocalJobRunner", "workers": 2},
            "pulsar": {"load": "galaxy.jobs.runners.pulsar:PulsarRESTJobRunner"},
        },
        "execution": {"default": "tpv_dispatcher", "environments": {
            "tpv_dispatcher": {
                "runner": "dynamic",
                "type": "python",
                "function": "map_tool_to_destination",
                "rules_module": "tpv.rules",
                "tpv_config_files": [str(SUITE_RULES), str(DESTINATIONS)],
            },
        }},
    }
