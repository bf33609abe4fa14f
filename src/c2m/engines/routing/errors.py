"""The routing engine's one error: input that contradicts itself, said in a sentence."""


class RoutingError(ValueError):
    """A job, a maker, a calendar or a policy that contradicts itself."""
