"""Entry point for inspect (`[project.entry-points.inspect_ai]`): tasks, the model provider, the hooks."""

from inspect_ai.model import modelapi

from warmlab.results import ResultsRecorder  # noqa: F401  (registers the results hook)
from warmlab.tasks.reliability import reliability  # noqa: F401


@modelapi(name="warmlab")
def warmlab_provider() -> type:
    from warmlab.provider import WarmlabAPI

    return WarmlabAPI
