"""The one error an engine raises for input no calculation can satisfy. Pure Python."""


class InputError(ValueError):
    """Input no calculation can satisfy; `field` names the parameter a person should change."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
