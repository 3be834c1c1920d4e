"""Simulated users: one interface (`SimulatedUser`), LLM-backed and scripted kinds."""

from warmlab.solvers.users.base import SimulatedUser, UserTurn

__all__ = ["SimulatedUser", "UserTurn"]
