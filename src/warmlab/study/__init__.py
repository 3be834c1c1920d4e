"""`warmlab study`: one command from model to verdict (config, plan, ledger, jobs, pipeline)."""

from warmlab.study.config import SHIPPED, StudyConfig, Variant, load_config, parse_config
from warmlab.study.ledger import Ledger, file_digest, move_aside, run_stage, stage_key
from warmlab.study.pipeline import RESULTS_FILE, combine_results, run_study, vllm_spec
from warmlab.study.plan import data_identity

__all__ = [
    "RESULTS_FILE",
    "SHIPPED",
    "Ledger",
    "StudyConfig",
    "Variant",
    "combine_results",
    "data_identity",
    "file_digest",
    "load_config",
    "move_aside",
    "parse_config",
    "run_stage",
    "run_study",
    "stage_key",
    "vllm_spec",
]
