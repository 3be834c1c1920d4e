"""Entry point for inspect (`[project.entry-points.inspect_ai]`): every battery's task, the provider, the
results hook."""

from inspect_ai.model import modelapi

from warmlab.results.recorder import ResultsRecorder  # noqa: F401  (registers the results hook)
from warmlab.tasks import batteries

for _battery in batteries().values():  # importing each battery registers its @task
    globals()[_battery.task.__name__] = _battery.task


@modelapi(name="warmlab")
def warmlab_provider() -> type:
    from warmlab.provider import WarmlabAPI

    return WarmlabAPI
