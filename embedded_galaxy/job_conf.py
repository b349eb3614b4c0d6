"""The embedded Galaxy's job configuration: which runner and destination a job gets.

Kept apart from the rest of the Galaxy settings because it is what an admin of a
real server changes: runners, destinations and the routing rules.
"""

import os


def job_config(settings):
    """The `job_config` section of galaxy.yml for the embedded server."""
    return {
        "runners": {"local": {"load": "galaxy.jobs.runners.local:LocalJobRunner", "workers": 2}},
        # GALAXY_SLOTS: the cores a job may use (TensorFlow's thread pools follow it).
        "execution": {"default": "local", "environments": {
            "local": {"runner": "local", "local_slots": os.cpu_count() or 1}}},
    }
