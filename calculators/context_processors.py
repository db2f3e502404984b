from . import registry


def site(request):
    # Passed uncalled: templates call it only where the nav is drawn, not for fragments.
    return {"tool_groups": registry.grouped}
