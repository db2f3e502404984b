from .kit import registry


def site(request):
    # Passed uncalled: templates call it only where the tool list is drawn.
    return {"tool_groups": registry.grouped}
